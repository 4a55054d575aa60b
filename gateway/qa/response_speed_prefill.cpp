#include "qa/response_speed_prefill.hpp"

namespace omnigate::qa {

std::optional<int> prefill_response_speed(Scale scale, const store::QaConversation& c) {
  if (!c.first_response_due) return std::nullopt;
  const auto due = *c.first_response_due;
  if (!c.first_response_at) return lowest_score(scale);
  const auto late = *c.first_response_at - due;
  if (late <= 0) return highest_score(scale);
  if (scale == Scale::binary) return 0;
  const auto allowed = std::max<std::int64_t>(due - c.created_at, 1);
  if (late * 4 <= allowed) return 4;
  if (late * 2 <= allowed) return 3;
  if (late <= allowed) return 2;
  return 1;
}

}  // namespace omnigate::qa
