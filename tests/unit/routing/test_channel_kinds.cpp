// Channel kinds are names: a kind the policy has never heard of (a new plugin's) is routed with
// the policy's default capacity, per-kind budgets come from the policy or the agent, and the
// channel itself requires no skill.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

namespace {

const ChannelKind kEcho("echo");

std::size_t assigned_now(Engine& e, UnixMs now) {
  return e.dispatch(now).size();
}

}  // namespace

TEST_CASE("a kind the policy does not name is routed, one per agent by default") {
  Engine e(plain_policy());
  add_online(e, agent("ann"), kMonday);
  for (ConversationId id = 1; id <= 3; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday + id, kEcho), kMonday + id));
  const auto first = e.dispatch(kMonday + 10);
  REQUIRE(first.size() == 1);  // capacity.default = 1
  CHECK(first[0].conversation == 1);
  CHECK(first[0].agent == "ann");
  CHECK(e.agent("ann")->load == std::map<ChannelKind, int>{{kEcho, 1}});
  CHECK_THAT(e.explain(2), Catch::Contains("1 without free echo capacity"));
  // Other kinds keep their own budgets beside it.
  REQUIRE(e.enqueue(conv(4, 3, Tier::C, kMonday + 11, ChannelKind::email), kMonday + 11));
  CHECK(assigned_now(e, kMonday + 12) == 1);
  // A finished one frees the slot for the next in queue order.
  REQUIRE(e.finish(1, kMonday + 20));
  const auto next = e.dispatch(kMonday + 20);
  REQUIRE(next.size() == 1);
  CHECK(next[0].conversation == 2);
}

TEST_CASE("capacity.default sets the budget of unnamed kinds; 0 keeps them from every agent") {
  for (const int budget : {0, 2}) {
    Policy p = plain_policy();
    p.capacity.other_kinds = budget;
    Engine e(p);
    add_online(e, agent("ann"), kMonday);
    for (ConversationId id = 1; id <= 3; ++id)
      REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday, kEcho), kMonday));
    CHECK(assigned_now(e, kMonday) == static_cast<std::size_t>(budget));
  }
}

TEST_CASE("a kind's budget comes from the agent, else the policy's capacity.<kind>") {
  Policy p = plain_policy();
  p.capacity.per_kind[kEcho] = 3;
  Engine e(p);
  auto ann = agent("ann");
  ann.capacity[kEcho] = 2;  // her own, over the policy's
  add_online(e, ann, kMonday);
  add_online(e, agent("bob"), kMonday);  // the policy's 3
  for (ConversationId id = 1; id <= 8; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday + id, kEcho), kMonday + id));
  CHECK(assigned_now(e, kMonday + 10) == 5);
  CHECK(e.agent("ann")->total_load == 2);
  CHECK(e.agent("bob")->total_load == 3);
}

TEST_CASE("an agent may budget a kind before any conversation of it arrives") {
  Engine e(plain_policy());
  auto ann = agent("ann");
  ann.capacity[ChannelKind("whatsapp")] = 2;
  ann.capacity[kEcho] = 0;  // never echo
  add_online(e, ann, kMonday);
  for (ConversationId id = 1; id <= 3; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday, ChannelKind("whatsapp")), kMonday));
  REQUIRE(e.enqueue(conv(4, 3, Tier::C, kMonday, kEcho), kMonday));
  CHECK(assigned_now(e, kMonday) == 2);
  CHECK(e.conversation(4)->state == ConversationState::queued);
  CHECK_FALSE(e.pick("ann", 4, kMonday));
}

TEST_CASE("the channel kind adds no skill requirement") {
  Engine e(plain_policy());
  add_online(e, agent("ann", {{"billing", 3}}), kMonday);
  add_online(e, agent("bob"), kMonday);  // no skills at all
  auto skilled = conv(1, 3, Tier::C, kMonday, kEcho);
  skilled.skills = {{"billing", 2}};
  REQUIRE(e.enqueue(skilled, kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + 1, kEcho), kMonday + 1));
  const auto d = e.dispatch(kMonday + 2);
  REQUIRE(d.size() == 2);
  CHECK(e.conversation(1)->agent == AgentId("ann"));  // only she has billing
  CHECK(e.conversation(2)->agent == AgentId("bob"));  // no skill needed, only echo room
}

TEST_CASE("kinds that first appear while others wait keep the queue order") {
  // Enough kinds to outgrow the engine's first layout of sub-queues while conversations wait.
  Engine e(plain_policy());
  std::vector<ChannelKind> kinds = {ChannelKind::sms, ChannelKind::email, ChannelKind::webchat,
                                    ChannelKind::voice};
  for (int i = 0; i < 12; ++i) kinds.emplace_back("kind" + std::to_string(i));
  ConversationId id = 0;
  for (const auto& kind : kinds) {
    ++id;
    auto c = conv(id, 3, Tier::C, kMonday + id, kind);
    if (id % 2) c.skills = {{"billing", 1}};
    REQUIRE(e.enqueue(c, kMonday + id));
  }
  auto ann = single_slot("ann");
  ann.skills = {{"billing", 1}};
  add_online(e, ann, kMonday + 100);
  CHECK(drain_order(e, "ann", kMonday + 100) ==
        std::vector<ConversationId>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
}

TEST_CASE("more kinds than the candidate keys cache are routed by the agent record") {
  Policy p = plain_policy();
  p.capacity.total = 200;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  constexpr int kKinds = 70;
  for (ConversationId id = 1; id <= kKinds; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday + id, ChannelKind("k" + std::to_string(id))),
                      kMonday + id));
  CHECK(assigned_now(e, kMonday + 100) == kKinds);  // one of each kind
  REQUIRE(e.enqueue(conv(100, 3, Tier::C, kMonday + 100, ChannelKind("k70")), kMonday + 100));
  CHECK(assigned_now(e, kMonday + 101) == 0);  // k70's one slot is taken
  REQUIRE(e.finish(70, kMonday + 102));
  CHECK(assigned_now(e, kMonday + 102) == 1);
}

TEST_CASE("live kinds go back to the queue when their agent goes offline") {
  for (const bool echo_is_live : {false, true}) {
    Policy p = plain_policy();
    if (echo_is_live) p.live_kinds.insert(kEcho);
    Engine e(p);
    add_online(e, agent("ann"), kMonday);
    REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, kEcho), kMonday));
    REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
    REQUIRE(assigned_now(e, kMonday) == 2);
    REQUIRE(e.set_presence("ann", Presence::offline, kMonday + 1));
    CHECK(e.conversation(2)->state == ConversationState::queued);  // voice is live by default
    CHECK((e.conversation(1)->state == ConversationState::queued) == echo_is_live);
  }
}

TEST_CASE("a conversation without a channel kind is refused") {
  Engine e(plain_policy());
  const auto refused = e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind()), kMonday);
  CHECK_FALSE(refused);
  CHECK_THAT(refused.error, Catch::Contains("no channel kind"));
}
