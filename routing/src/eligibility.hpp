// Whether an agent can take a conversation now (private to the routing engine): room on the
// conversation's channel, the required skill levels, the customer's tier, not declined before.
// The candidate index caches part of it in its keys; explain() counts agents by it.
#pragma once

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

}  // namespace omnigate::routing
