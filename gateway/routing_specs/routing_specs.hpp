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

// Keys of capacity tables that are settings, not channel kinds: "total" caps all kinds together
// (an agent's total_capacity, routing.capacity.total); "default" is the policy's capacity for
// kinds nobody names (routing.capacity.default) and is refused in an agent's map. Every other
// key is a channel kind.
inline constexpr const char* kTotalCapacityKey = "total";
inline constexpr const char* kDefaultCapacityKey = "default";

// Skills, tiers served, capacity per channel kind and the "total" cap across kinds.
routing::AgentSpec agent_spec(const store::Agent& agent);

// The fields of a conversation the engine routes by; id, arrival, sticky agent and team are
// the caller's (they differ between a live gateway and a replay).
struct ConversationFacts {
  store::Tier tier = store::Tier::C;
  int priority = 4;                 // 0 (unset) counts as P4
  const std::string& channel_kind;  // any plugin's kind
  const std::vector<store::SkillLevel>& skills;
  const std::string& account_team;     // the customer's dedicated group ("" = none)
  const std::string& account_manager;  // the customer's named manager ("" = none)
};
// The conversation requires exactly the skills it carries (what the API shows as its `skills`);
// its channel kind decides capacity, not skills.
routing::ConversationSpec conversation_spec(const ConversationFacts& facts);

// How conversations of channel kind `kind` are routed under `policy` with the agents `agents`
// (a config's seed): the capacity each agent gets for it and where that number comes from, the
// skills the channel itself requires (none), and what happens when their agent goes offline.
// One line per fact; the first reads `kind "echo" → capacity 1 per agent (...), skills
// required: none`. `omnigate plugins check` prints them.
std::vector<std::string> describe_kind_routing(const routing::Policy& policy,
                                               const std::vector<store::Agent>& agents,
                                               const std::string& kind);

}  // namespace omnigate::routing_specs
