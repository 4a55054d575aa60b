#include "queue_band.hpp"

#include <algorithm>
#include <cstdint>

namespace omnigate::routing {

int base_band(int priority, Tier tier) {
  return (priority - 1) * kTierCount + static_cast<int>(tier);
}

int max_promotions(const AgeingPolicy& ageing, int base_band) {
  if (!ageing.enabled || ageing.step_ms <= 0) return 0;
  return std::min(ageing.max_bands, base_band);
}

int earned_promotions(const AgeingPolicy& ageing, int base_band, UnixMs arrived, UnixMs now) {
  const int most = max_promotions(ageing, base_band);
  if (most == 0) return 0;
  return static_cast<int>(
      std::min<std::int64_t>(most, std::max<std::int64_t>(0, now - arrived) / ageing.step_ms));
}

}  // namespace omnigate::routing
