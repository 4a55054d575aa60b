// Property: under bursts of arrivals, presence churn, offers that lapse or are declined,
// transfers and resolutions, no agent ever exceeds a capacity and every conversation is
// held by exactly one agent or is still queued — also for channel kinds the policy does not
// name ("echo", which some agents budget; "fax", which arrives after others wait).
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

#include "fixtures.hpp"

using namespace routing_test;

namespace {

struct Model {
  std::map<ConversationId, ChannelKind> channel;
  std::map<ConversationId, int> priority;
};

void check_invariants(const Engine& e, const std::vector<AgentSpec>& agents, const Model& model,
                      const Policy& p) {
  std::map<ConversationId, int> holders;
  for (const auto& spec : agents) {
    const auto view = e.agent(spec.id);
    REQUIRE(view);
    std::map<ChannelKind, int> counted;
    for (const ConversationId id : view->conversations) {
      ++holders[id];
      ++counted[model.channel.at(id)];
      const auto c = e.conversation(id);
      REQUIRE(c);
      REQUIRE(c->agent == spec.id);
    }
    REQUIRE(counted == view->load);
    REQUIRE(view->total_load == static_cast<int>(view->conversations.size()));
    REQUIRE(view->total_load <= (spec.total_capacity > 0 ? spec.total_capacity : p.capacity.total));
    for (const auto& [kind, load] : view->load) {
      const auto it = spec.capacity.find(kind);
      REQUIRE(load <= (it != spec.capacity.end() ? it->second : p.capacity.for_kind(kind)));
    }
  }
  std::size_t queued = 0;
  for (const auto& [id, ch] : model.channel) {
    const auto c = e.conversation(id);
    REQUIRE(c);
    if (c->state == ConversationState::queued) {
      ++queued;
      REQUIRE_FALSE(c->agent);
      REQUIRE(holders.count(id) == 0);
    } else {
      REQUIRE(holders[id] == 1);
    }
  }
  REQUIRE(queued == e.queued_count());
}

void run(unsigned seed) {
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  Policy p = Policy::defaults();
  p.reservation_timeout_ms = seed % 2 ? 20 * kSecondMs : 0;
  p.selection = static_cast<Selection>(seed % 4);
  p.teams["t0"] = TeamPolicy{{"t1"}, 3 * kMinuteMs};
  Engine e(p);
  const std::vector<std::string> skills = {"billing", "tech", "french", "german", "sales"};
  std::vector<AgentSpec> agents;
  for (int i = 0; i < 60; ++i) {
    AgentSpec a = agent("agent" + std::to_string(i), {}, "t" + std::to_string(i % 3));
    for (const auto& s : skills)
      if (rng() % 2) a.skills.push_back({s, static_cast<int>(rng() % 5 + 1)});
    if (rng() % 3 == 0) a.capacity[ChannelKind::webchat] = static_cast<int>(rng() % 4);
    if (rng() % 3 == 0) a.capacity[ChannelKind("echo")] = static_cast<int>(rng() % 4);
    if (rng() % 4 == 0) a.total_capacity = static_cast<int>(rng() % 6 + 1);
    if (rng() % 5 == 0) a.tiers_served = {Tier::S, Tier::A};
    REQUIRE(e.upsert_agent(a, kMonday));
    agents.push_back(a);
  }
  const std::vector<ChannelKind> kinds = {ChannelKind::sms,     ChannelKind::email,
                                          ChannelKind::webchat, ChannelKind::voice,
                                          ChannelKind("echo"),  ChannelKind("fax")};
  Model model;
  ConversationId next_id = 1;
  UnixMs now = kMonday;
  while (next_id <= 10000) {
    now += static_cast<UnixMs>(rng() % 20000);
    const int burst = static_cast<int>(rng() % 60);
    for (int i = 0; i < burst && next_id <= 10000; ++i, ++next_id) {
      auto c = conv(next_id, static_cast<int>(rng() % 4 + 1), static_cast<Tier>(rng() % 4), now,
                    kinds[rng() % (next_id < 500 ? 5 : kinds.size())]);
      if (rng() % 2)
        c.skills.push_back({skills[rng() % skills.size()], static_cast<int>(rng() % 5 + 1)});
      if (rng() % 4 == 0) c.team = "t" + std::to_string(rng() % 3);
      if (rng() % 5 == 0) c.previous_agent = agents[rng() % agents.size()].id;
      if (rng() % 6 == 0) c.account_team = "t" + std::to_string(rng() % 3);
      if (rng() % 6 == 0) c.account_manager = agents[rng() % agents.size()].id;
      REQUIRE(e.enqueue(c, now));
      model.channel[c.id] = c.channel;
    }
    for (int i = 0; i < 8; ++i)
      REQUIRE(
          e.set_presence(agents[rng() % agents.size()].id, static_cast<Presence>(rng() % 4), now));
    e.advance(now);
    for (const auto& d : e.dispatch(now)) {
      const auto r = rng() % 4;
      if (d.kind == DecisionKind::offer && r == 0)
        REQUIRE(e.decline(d.agent, d.conversation, now));
      else if (d.kind == DecisionKind::offer && r == 1)
        REQUIRE(e.accept(d.agent, d.conversation, now));
    }
    // Resolve, transfer, pick and reclassify a few.
    for (int i = 0; i < 30; ++i) {
      const ConversationId id = static_cast<ConversationId>(rng() % next_id) + 1;
      const auto c = e.conversation(id);
      if (!c) continue;
      switch (rng() % 6) {
        case 0:
          if (c->state != ConversationState::queued) {
            REQUIRE(e.finish(id, now));
            model.channel.erase(id);
          }
          break;
        case 1:
          (void)e.transfer_to_agent(id, agents[rng() % agents.size()].id, now);
          break;
        case 2:
          (void)e.transfer_to_team(id, "t" + std::to_string(rng() % 3), now);
          break;
        case 3:
          (void)e.pick(agents[rng() % agents.size()].id, id, now);
          break;
        case 4:  // reclassified: queued ones change place, held ones stay
          REQUIRE(e.set_priority(id, static_cast<int>(rng() % 4 + 1), now));
          break;
        default:
          if (c->state == ConversationState::assigned)
            (void)e.waiting_on_customer(id, now);
          else if (c->state == ConversationState::waiting_customer)
            (void)e.customer_replied(id, now);
      }
    }
    if (next_id % 7 == 0) check_invariants(e, agents, model, p);
  }
  check_invariants(e, agents, model, p);
}

}  // namespace

TEST_CASE("no agent is over-assigned and every conversation is held once or queued") {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u, 6u}) run(seed);
}
