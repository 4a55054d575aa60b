#include "eligibility.hpp"

#include <algorithm>

namespace omnigate::routing {

bool Eligibility::has_room(const AgentRec& a) {
  return a.presence == Presence::online && !a.wrapping_up && a.total_load < a.total_cap;
}

bool Eligibility::can_take(const AgentRec& a, int kind) const {
  if (!has_room(a) || a.kinds[kind].load >= a.kinds[kind].cap) return false;
  return !(voice_blocks_chat && kind == webchat_kind && a.kinds[voice_kind].load > 0);
}

std::uint64_t Eligibility::kinds_open(const AgentRec& a) const {
  std::uint64_t mask = 0;
  const int n = std::min(static_cast<int>(a.kinds.size()), kKindMaskBits);
  for (int k = 0; k < n; ++k)
    if (can_take(a, k)) mask |= kind_bit(k);
  return mask;
}

bool Eligibility::has_skills(const AgentRec& a, const ConvRec& c, int drop) {
  for (const auto& [skill, min_level] : c.skills)
    if (a.level(skill) < std::max(1, min_level - drop)) return false;
  return true;
}

bool Eligibility::serves_tier(const AgentRec& a, const ConvRec& c) {
  return (a.tiers_mask >> static_cast<int>(c.spec.tier)) & 1u;
}

bool Eligibility::declined(const ConvRec& c, int ai) {
  return std::find(c.declined.begin(), c.declined.end(), ai) != c.declined.end();
}

bool Eligibility::eligible_named(const AgentRec& a, int ai, const ConvRec& c, int drop) const {
  return can_take(a, c.kind) && has_skills(a, c, drop) && !declined(c, ai);
}

bool Eligibility::eligible_pool(const AgentRec& a, int ai, const ConvRec& c, int drop) const {
  return eligible_named(a, ai, c, drop) && serves_tier(a, c);
}

}  // namespace omnigate::routing
