#include "routing_specs/routing_specs.hpp"

#include <algorithm>

namespace omnigate::routing_specs {

routing::Tier to_routing(store::Tier tier) {
  return static_cast<routing::Tier>(static_cast<int>(tier));
}

routing::Presence to_routing(store::Presence presence) {
  return *routing::presence_from_string(store::to_string(presence));
}

routing::AgentSpec agent_spec(const store::Agent& agent) {
  routing::AgentSpec spec;
  spec.id = agent.id;
  spec.team = agent.team;
  for (const auto& s : agent.skills) spec.skills.push_back({s.skill, s.level});
  for (const auto t : agent.tiers) spec.tiers_served.push_back(to_routing(t));
  for (const auto& [kind, n] : agent.capacity) {
    if (auto k = routing::channel_kind_from_string(kind))
      spec.capacity[*k] = n;
    else if (kind == "total")  // the admin API's cap across channel kinds
      spec.total_capacity = n;
  }
  return spec;
}

routing::ConversationSpec conversation_spec(const ConversationFacts& facts) {
  routing::ConversationSpec spec;
  spec.tier = to_routing(facts.tier);
  spec.priority = std::clamp(facts.priority == 0 ? 4 : facts.priority, 1, 4);
  spec.channel = facts.channel;
  // The channel's own skill always comes first: an SMS conversation needs an agent who does SMS.
  spec.skills.push_back({facts.channel_kind, 1});
  for (const auto& s : facts.skills)
    if (s.skill != facts.channel_kind) spec.skills.push_back({s.skill, std::clamp(s.level, 1, 5)});
  spec.account_team = facts.account_team;
  if (!facts.account_manager.empty()) spec.account_manager = facts.account_manager;
  return spec;
}

}  // namespace omnigate::routing_specs
