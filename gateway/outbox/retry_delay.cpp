#include "outbox/retry_delay.hpp"

#include <algorithm>
#include <cstdint>

namespace omnigate {

std::chrono::milliseconds retry_delay(const config::OutboxConfig& options, int attempts,
                                      int retry_after_ms, double jitter) {
  // The provider knows its own rate limits better than our backoff does.
  if (retry_after_ms > 0) return std::chrono::milliseconds(retry_after_ms);
  const std::int64_t cap = std::max(0, options.max_backoff_ms);
  std::int64_t backoff = std::max(0, options.initial_backoff_ms);
  // Doubling stops at the cap, so large attempt counts cannot overflow.
  for (int i = 1; i < attempts && backoff < cap; ++i) backoff *= 2;
  backoff = std::min(backoff, cap);
  const double scaled = static_cast<double>(backoff) * (0.5 + std::clamp(jitter, 0.0, 1.0) / 2);
  return std::chrono::milliseconds(static_cast<std::int64_t>(scaled));
}

}  // namespace omnigate
