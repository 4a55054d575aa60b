// Small builders shared by the routing tests: a policy without the rules a test does not
// exercise, agents and conversations with readable defaults.
#pragma once

#include <catch2/catch.hpp>
#include <omnigate/routing/engine.hpp>
#include <string>
#include <vector>

namespace routing_test {

using namespace omnigate::routing;

// 2026-11-23 00:00 UTC, a Monday.
inline constexpr UnixMs kMonday = 1795392000000LL;

// Rules that would blur what one test looks at are switched off; tests switch on theirs.
inline Policy plain_policy() {
  Policy p = Policy::defaults();
  p.ageing.enabled = false;
  p.bullseye.clear();
  p.sticky.enabled = false;
  p.wrap_up_ms.clear();  // agents take the next conversation at once
  for (auto& t : p.tiers) t = TierPolicy{"24x7", false, false, 0};
  return p;
}

inline AgentSpec agent(std::string id, std::vector<Skill> skills = {}, std::string team = "") {
  AgentSpec a;
  a.id = std::move(id);
  a.skills = std::move(skills);
  a.team = std::move(team);
  return a;
}

inline ConversationSpec conv(ConversationId id, int priority, Tier tier, UnixMs arrived,
                             ChannelKind channel = ChannelKind::email) {
  ConversationSpec c;
  c.id = id;
  c.priority = priority;
  c.tier = tier;
  c.arrived_at = arrived;
  c.channel = channel;
  return c;
}

// An agent who holds one conversation at a time: hand-outs follow the queue order one by one.
inline AgentSpec single_slot(std::string id) {
  auto a = agent(std::move(id));
  a.total_capacity = 1;
  return a;
}

inline void add_online(Engine& e, const AgentSpec& a, UnixMs now) {
  REQUIRE(e.upsert_agent(a, now));
  REQUIRE(e.set_presence(a.id, Presence::online, now));
}

// Order in which conversations are handed out when agents free up one slot at a time.
inline std::vector<ConversationId> drain_order(Engine& e, const std::string& agent_id, UnixMs now) {
  std::vector<ConversationId> order;
  for (;;) {
    const auto d = e.dispatch(now);
    if (d.empty()) break;
    REQUIRE(d.size() == 1);
    REQUIRE(d[0].agent == agent_id);
    order.push_back(d[0].conversation);
    REQUIRE(e.finish(d[0].conversation, now));
  }
  return order;
}

}  // namespace routing_test
