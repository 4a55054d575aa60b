// Whether an agent can take a conversation now (private to the routing engine): room on the
// conversation's channel, the required skill levels, the customer's tier, not declined before.
// The candidate index caches part of it in its keys; explain() counts agents by it. Inline:
// a dispatch pass asks it for every candidate and conversation it visits.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine_records.hpp"

namespace omnigate::routing {

struct Eligibility {
  // Policy voice_blocks_chat: an agent on a voice call takes no webchat. The kinds' ids.
  bool voice_blocks_chat = false;
  int voice_kind = kNone, webchat_kind = kNone;

  // Room for one more conversation of any kind: online, not in wrap-up, under its total.
  static bool has_room(const AgentRec& a);
  // Room for one more conversation of channel kind `kind` (an id).
  bool can_take(const AgentRec& a, int kind) const;
  // can_take() as one bit per kind id (kind_bit); kinds past the mask's width are left out.
  std::uint64_t kinds_open(const AgentRec& a) const;
  // Every required skill at its minimum level, lowered by `drop` (bullseye) but at least 1.
  static bool has_skills(const AgentRec& a, const ConvRec& c, int drop);
  static bool serves_tier(const AgentRec& a, const ConvRec& c);
  // Whether agent `ai` declined `c` (or let its offer lapse).
  static bool declined(const ConvRec& c, int ai);
  // Named agents (sticky, account manager) are the customer's own: tier and team do not apply.
  bool eligible_named(const AgentRec& a, int ai, const ConvRec& c, int drop) const;
  bool eligible_pool(const AgentRec& a, int ai, const ConvRec& c, int drop) const;
};

inline bool Eligibility::has_room(const AgentRec& a) {
  return a.presence == Presence::online && !a.wrapping_up && a.total_load < a.total_cap;
}

inline bool Eligibility::can_take(const AgentRec& a, int kind) const {
  if (!has_room(a) || a.kinds[kind].load >= a.kinds[kind].cap) return false;
  return !(voice_blocks_chat && kind == webchat_kind && a.kinds[voice_kind].load > 0);
}

inline std::uint64_t Eligibility::kinds_open(const AgentRec& a) const {
  std::uint64_t mask = 0;
  const int n = std::min(static_cast<int>(a.kinds.size()), kKindMaskBits);
  for (int k = 0; k < n; ++k)
    if (can_take(a, k)) mask |= kind_bit(k);
  return mask;
}

inline bool Eligibility::has_skills(const AgentRec& a, const ConvRec& c, int drop) {
  for (const auto& [skill, min_level] : c.skills)
    if (a.level(skill) < std::max(1, min_level - drop)) return false;
  return true;
}

inline bool Eligibility::serves_tier(const AgentRec& a, const ConvRec& c) {
  return (a.tiers_mask >> static_cast<int>(c.spec.tier)) & 1u;
}

inline bool Eligibility::declined(const ConvRec& c, int ai) {
  return std::find(c.declined.begin(), c.declined.end(), ai) != c.declined.end();
}

inline bool Eligibility::eligible_named(const AgentRec& a, int ai, const ConvRec& c,
                                        int drop) const {
  return can_take(a, c.kind) && has_skills(a, c, drop) && !declined(c, ai);
}

inline bool Eligibility::eligible_pool(const AgentRec& a, int ai, const ConvRec& c,
                                       int drop) const {
  return eligible_named(a, ai, c, drop) && serves_tier(a, c);
}

}  // namespace omnigate::routing
