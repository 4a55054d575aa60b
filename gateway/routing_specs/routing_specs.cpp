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
    if (kind == kTotalCapacityKey)
      spec.total_capacity = n;
    else if (!kind.empty() && kind != kDefaultCapacityKey)
      spec.capacity[routing::ChannelKind(kind)] = n;
  }
  return spec;
}

routing::ConversationSpec conversation_spec(const ConversationFacts& facts) {
  routing::ConversationSpec spec;
  spec.tier = to_routing(facts.tier);
  spec.priority = std::clamp(facts.priority == 0 ? 4 : facts.priority, 1, 4);
  spec.channel = routing::ChannelKind(facts.channel_kind);
  for (const auto& s : facts.skills) spec.skills.push_back({s.skill, std::clamp(s.level, 1, 5)});
  spec.account_team = facts.account_team;
  if (!facts.account_manager.empty()) spec.account_manager = facts.account_manager;
  return spec;
}

std::vector<std::string> describe_kind_routing(const routing::Policy& policy,
                                               const std::vector<store::Agent>& agents,
                                               const std::string& kind) {
  const std::string quoted = "\"" + kind + "\"";
  const auto named = policy.capacity.per_kind.find(routing::ChannelKind(kind));
  const bool policy_names = named != policy.capacity.per_kind.end();
  const int policy_cap = policy.capacity.for_kind(routing::ChannelKind(kind));
  const bool reserved = kind == kTotalCapacityKey || kind == kDefaultCapacityKey;

  // Agents whose own capacity map names the kind, and how many can take it at all.
  std::string own;
  int naming = 0, able = 0;
  for (const auto& a : agents) {
    const auto it = reserved ? a.capacity.end() : a.capacity.find(kind);
    const int cap = it != a.capacity.end() ? it->second : policy_cap;
    if (cap > 0) ++able;
    if (it == a.capacity.end()) continue;
    own += (naming++ ? ", " : "") + a.id + " " + std::to_string(it->second);
  }

  std::string first = "kind " + quoted + " → capacity " + std::to_string(policy_cap) +
                      " per agent (" +
                      (policy_names ? "routing.capacity." + kind
                                    : "routing.capacity.default: the policy names no " + quoted);
  if (naming == 0) first += agents.empty() ? "" : "; no agent names " + quoted;
  first += "), skills required: none";
  std::vector<std::string> lines = {first};
  if (naming > 0)
    lines.push_back("agents setting their own: " + own + " (" + std::to_string(naming) + " of " +
                    std::to_string(agents.size()) + ")");
  if (agents.empty())
    lines.push_back(
        "agents: none in the config (agents added through the admin API get this capacity "
        "unless theirs names " +
        quoted + ")");
  else if (able == 0)
    lines.push_back("warning: no agent in the config can take " + quoted + " (capacity 0)");
  if (reserved)
    lines.push_back("warning: " + quoted +
                    " is a reserved key of capacity tables; this kind always gets "
                    "routing.capacity.default");
  lines.push_back("skills: a message requires only the skills it carries; the channel adds none");
  lines.push_back(policy.is_live(routing::ChannelKind(kind))
                      ? "agent goes offline: its " + quoted +
                            " conversations go back to the queue (routing.live_kinds)"
                      : "agent goes offline: its " + quoted +
                            " conversations stay with it (not in routing.live_kinds)");
  return lines;
}

}  // namespace omnigate::routing_specs
