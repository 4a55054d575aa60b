// Transfers, manual pick, reservations with timeout, and explanations.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

TEST_CASE("transfer to an agent moves the conversation and its capacity") {
  Engine e(plain_policy());
  add_online(e, agent("ann"), kMonday);
  add_online(e, agent("bob"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  const AgentId first = *e.conversation(1)->agent;
  const AgentId second = first == "ann" ? "bob" : "ann";
  REQUIRE(e.transfer_to_agent(1, second, kMonday + 1));
  CHECK(e.conversation(1)->agent == second);
  CHECK(e.agent(first)->total_load == 0);
  CHECK(e.agent(second)->total_load == 1);
  CHECK_THAT(e.explain(1), Catch::Contains("transferred from " + first));
  // A second call does not fit on the same agent (1 voice).
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(e.dispatch(kMonday + 2).size() == 1);
  const auto refused = e.transfer_to_agent(2, second, kMonday + 3);
  CHECK_FALSE(refused);
  CHECK_THAT(refused.error, Catch::Contains("bob is at voice capacity: 1 of 1"));
}

TEST_CASE("transfer to a team re-queues at the original position for that team only") {
  Engine e(plain_policy());
  add_online(e, agent("ann", {}, "support"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  REQUIRE(e.transfer_to_team(1, "billing", kMonday + 1));
  CHECK(e.conversation(1)->state == ConversationState::queued);
  CHECK(e.dispatch(kMonday + 2).empty());  // ann is not in billing
  auto newer = conv(2, 3, Tier::C, kMonday + 2);
  newer.team = "billing";
  REQUIRE(e.enqueue(newer, kMonday + 2));
  auto bill = agent("bill", {}, "billing");
  bill.total_capacity = 1;
  add_online(e, bill, kMonday + 3);
  const auto d = e.dispatch(kMonday + 3);
  REQUIRE(d.size() == 1);
  CHECK(d[0].conversation == 1);
  CHECK(d[0].agent == "bill");
}

TEST_CASE("manual pick works where the policy allows it and the agent is eligible") {
  Policy p = plain_policy();
  Engine e(p);
  REQUIRE(e.upsert_agent(agent("ann", {{"billing", 2}}), kMonday));
  auto c = conv(1, 3, Tier::C, kMonday);
  c.skills = {{"billing", 3}};
  REQUIRE(e.enqueue(c, kMonday));
  CHECK(e.pick("ann", 1, kMonday).error == "ann is offline");
  REQUIRE(e.set_presence("ann", Presence::online, kMonday));
  CHECK_THAT(e.pick("ann", 1, kMonday).error, Catch::Contains("lacks a required skill"));
  REQUIRE(e.upsert_agent(agent("ann", {{"billing", 3}}), kMonday));
  REQUIRE(e.pick("ann", 1, kMonday));
  CHECK(e.conversation(1)->agent == AgentId("ann"));

  p.manual_pick = false;
  Engine strict(p);
  add_online(strict, agent("ann"), kMonday);
  REQUIRE(strict.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  CHECK_THAT(strict.pick("ann", 1, kMonday).error,
             Catch::Contains("disabled by the routing policy"));
}

TEST_CASE("an offer not accepted in time goes to the next agent") {
  Policy p = plain_policy();
  p.reservation_timeout_ms = 30 * kSecondMs;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  add_online(e, agent("bob"), kMonday + 1);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  auto d = e.dispatch(kMonday + 2);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == DecisionKind::offer);
  CHECK(d[0].agent == "ann");
  CHECK(d[0].expires_at == kMonday + 2 + 30 * kSecondMs);
  CHECK(e.advance(kMonday + 29 * kSecondMs).empty());
  const auto ev = e.advance(kMonday + 2 + 30 * kSecondMs);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == TimerKind::reservation_expired);
  CHECK(e.agent("ann")->total_load == 0);
  CHECK_FALSE(e.accept("ann", 1, kMonday + 31 * kSecondMs));
  d = e.dispatch(kMonday + 31 * kSecondMs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "bob");
  REQUIRE(e.accept("bob", 1, kMonday + 32 * kSecondMs));
  CHECK(e.conversation(1)->state == ConversationState::assigned);
  CHECK(e.advance(kMonday + 5 * kMinuteMs).empty());  // the accepted offer never expires
}

TEST_CASE("a declined offer goes to another agent, never back to the one who declined") {
  Policy p = plain_policy();
  p.reservation_timeout_ms = 30 * kSecondMs;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  REQUIRE(e.decline("ann", 1, kMonday + 1));
  CHECK(e.dispatch(kMonday + 2).empty());
  CHECK_THAT(e.explain(1), Catch::Contains("1 declined it"));
  add_online(e, agent("bob"), kMonday + 3);
  const auto d = e.dispatch(kMonday + 3);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "bob");
}

TEST_CASE("explain says why a conversation went to its agent, or why it waits") {
  Engine e(plain_policy());
  add_online(e, agent("ann", {{"billing", 2}}), kMonday);
  auto c = conv(7, 2, Tier::B, kMonday, ChannelKind::webchat);
  c.skills = {{"billing", 4}};
  REQUIRE(e.enqueue(c, kMonday));
  REQUIRE(e.dispatch(kMonday).empty());
  const auto waiting = e.explain(7);
  CHECK_THAT(waiting, Catch::Contains("queued at position 1 of 1"));
  // Skills block it, not capacity: ann has room, but nobody online has billing 4.
  CHECK_THAT(waiting, Catch::Contains("waiting: blocked by skills: nobody online in any team has "
                                      "billing>=4"));
  CHECK_THAT(waiting, !Catch::Contains("capacity in"));
  CHECK_THAT(waiting, Catch::Contains("1 missing a required skill level"));
  add_online(e, agent("bea", {{"billing", 5}}), kMonday + 1);
  REQUIRE(e.dispatch(kMonday + 1).size() == 1);
  CHECK_THAT(e.explain(7), Catch::Contains("assigned to bea: best of any team by least_occupied"));
  CHECK_THAT(e.explain(8), Catch::Contains("not known"));
}

TEST_CASE("bad operations are refused with a reason") {
  Engine e(plain_policy());
  CHECK_THAT(e.enqueue(conv(1, 5, Tier::C, kMonday), kMonday).error,
             Catch::Contains("priority must be 1..4"));
  REQUIRE(e.enqueue(conv(1, 4, Tier::C, kMonday), kMonday));
  CHECK_THAT(e.enqueue(conv(1, 4, Tier::C, kMonday), kMonday).error,
             Catch::Contains("already known"));
  CHECK_THAT(e.set_presence("ghost", Presence::online, kMonday).error,
             Catch::Contains("unknown agent"));
  CHECK_THAT(e.finish(1, kMonday).error, Catch::Contains("use remove"));
  CHECK_THAT(e.upsert_agent(agent("x", {{"s", 6}}), kMonday).error, Catch::Contains("level 1..5"));
  REQUIRE(e.remove(1, kMonday));
  CHECK(e.queued_count() == 0);
}

TEST_CASE("explain tells skills nobody has from skills nobody has together, and from full agents") {
  Engine e(plain_policy());
  add_online(e, agent("ann", {{"billing", 4}}), kMonday);
  add_online(e, agent("bea", {{"vip", 2}}), kMonday);
  auto both = conv(1, 3, Tier::C, kMonday, ChannelKind::webchat);
  both.skills = {{"billing", 4}, {"vip", 2}};
  REQUIRE(e.enqueue(both, kMonday));
  REQUIRE(e.dispatch(kMonday).empty());
  CHECK_THAT(e.explain(1), Catch::Contains("waiting: blocked by skills: no online agent in any "
                                           "team has all of billing>=4, vip>=2"));

  // cid has the skill but her one webchat slot is taken: capacity is what blocks.
  auto one_chat = agent("cid", {{"billing", 3}});
  one_chat.capacity = {{ChannelKind::webchat, 1}};
  REQUIRE(e.set_presence("ann", Presence::away, kMonday));
  add_online(e, one_chat, kMonday);
  auto first = conv(2, 3, Tier::C, kMonday, ChannelKind::webchat);
  first.skills = {{"billing", 3}};
  auto second = conv(3, 3, Tier::C, kMonday + 1, ChannelKind::webchat);
  second.skills = {{"billing", 3}};
  REQUIRE(e.enqueue(first, kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  REQUIRE(e.enqueue(second, kMonday + 1));
  REQUIRE(e.dispatch(kMonday + 1).empty());
  CHECK_THAT(e.explain(3), Catch::Contains("waiting: no free webchat capacity: the 1 online "
                                           "agent(s) in any team with the skills are at their "
                                           "limit"));
}

TEST_CASE("a refused transfer or pick names the limit that refused it") {
  Engine e(plain_policy());
  auto total_bound = agent("ann");
  total_bound.total_capacity = 1;
  total_bound.capacity = {{ChannelKind::email, 3}};
  add_online(e, total_bound, kMonday);
  auto kind_bound = agent("bob");
  kind_bound.total_capacity = 5;
  kind_bound.capacity = {{ChannelKind::email, 1}, {ChannelKind::webchat, 0}};
  add_online(e, kind_bound, kMonday);
  for (ConversationId id = 1; id <= 3; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 2);  // one each: ann by total, bob by e-mail capacity
  REQUIRE(e.queued_count() == 1);

  const auto refused = [&](const std::string& who) {
    const auto st = e.transfer_to_agent(3, who, kMonday + 1);
    REQUIRE_FALSE(st);
    return st.error;
  };
  CHECK(refused("ann") == "ann is at total capacity: 1 of 1 conversations across all channels");
  CHECK(refused("bob") == "bob is at email capacity: 1 of 1 email conversations");
  const auto picked = e.pick("bob", 3, kMonday + 1);
  REQUIRE_FALSE(picked);
  CHECK(picked.error == "bob is at email capacity: 1 of 1 email conversations");

  REQUIRE(e.enqueue(conv(4, 3, Tier::C, kMonday + 2, ChannelKind::webchat), kMonday + 2));
  const auto none = e.transfer_to_agent(4, "bob", kMonday + 2);
  REQUIRE_FALSE(none);
  CHECK(none.error == "bob takes no webchat conversations (webchat capacity 0)");
  REQUIRE(e.set_presence("bob", Presence::away, kMonday + 3));
  CHECK(e.transfer_to_agent(4, "bob", kMonday + 3).error == "bob is away");
}
