// How the store's agents and conversations look to the routing engine. The gateway's
// RoutingDispatcher and routing-sim's database replay both convert through here, so a replay sees
// a conversation and an agent exactly as the running gateway's engine does.
#pragma once

#include "store/model.hpp"

#include <omnigate/routing/engine.hpp>

#include <string>
#include <vector>

namespace omnigate::routing_specs {

// store::Tier and routing::Tier list the same tiers in the same order (best first).
routing::Tier to_routing(store::Tier tier);
routing::Presence to_routing(store::Presence presence);

// Skills, tiers served, capacity per channel kind and the "total" cap across kinds.
routing::AgentSpec agent_spec(const store::Agent& agent);

// The fields of a conversation the engine routes by; id, arrival, sticky agent and team are
// the caller's (they differ between a live gateway and a replay).
struct ConversationFacts {
  store::Tier tier = store::Tier::C;
  int priority = 4;  // 0 (unset) counts as P4
  const std::string& channel_kind;
  routing::ChannelKind channel;
  const std::vector<store::SkillLevel>& skills;
  const std::string& account_team;     // the customer's dedicated group ("" = none)
  const std::string& account_manager;  // the customer's named manager ("" = none)
};
routing::ConversationSpec conversation_spec(const ConversationFacts& facts);

}  // namespace omnigate::routing_specs
