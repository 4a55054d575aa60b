// Wrap-up after a finished conversation, and a conversation returned to the queue by the agent
// who did not take it (a call not answered). The clock is the tests' own: each step shifts it.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include <algorithm>

using namespace routing_test;

namespace {

// The default wrap-up: 30 s after a call.
Policy wrap_up_policy() {
  Policy p = plain_policy();
  p.wrap_up_ms = Policy::defaults().wrap_up_ms;
  return p;
}

// Assigns conversation `id` to the only online agent and returns who got it.
AgentId assign_now(Engine& e, ConversationId id, UnixMs now) {
  const auto d = e.dispatch(now);
  REQUIRE(d.size() == 1);
  REQUIRE(d[0].conversation == id);
  return d[0].agent;
}

}  // namespace

TEST_CASE(
    "a finished call holds its agent in wrap-up; nothing of any kind is offered until it ends") {
  Engine e(wrap_up_policy());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(assign_now(e, 1, kMonday) == "ann");
  const UnixMs ended = kMonday + 5 * kMinuteMs;
  REQUIRE(e.finish(1, ended));
  CHECK(e.agent("ann")->wrap_up_until == ended + 30 * kSecondMs);
  CHECK(e.agent("ann")->presence == Presence::online);
  CHECK(e.next_timer_at().value() <= ended + 30 * kSecondMs);

  REQUIRE(e.enqueue(conv(2, 3, Tier::C, ended, ChannelKind::email), ended));
  REQUIRE(e.enqueue(conv(3, 3, Tier::C, ended, ChannelKind::voice), ended));
  CHECK(e.tick(ended + 29 * kSecondMs).second.empty());
  CHECK_THAT(e.pick("ann", 2, ended + 1).error, Catch::Contains("in wrap-up until"));
  CHECK_THAT(e.transfer_to_agent(3, "ann", ended + 1).error, Catch::Contains("in wrap-up until"));

  const auto d = e.tick(ended + 30 * kSecondMs).second;
  CHECK(d.size() == 2);  // the call and the e-mail, both to ann
  CHECK_FALSE(e.agent("ann")->wrap_up_until);
  CHECK(e.agent("ann")->total_load == 2);
}

TEST_CASE("wrap-up is per channel kind by policy; kinds without one free the agent at once") {
  Policy p = plain_policy();
  p.wrap_up_ms[ChannelKind::email] = 10 * kSecondMs;
  p.wrap_up_ms[ChannelKind::voice] = 0;
  Engine e(p);
  auto ann = agent("ann");
  ann.total_capacity = 1;
  add_online(e, ann, kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + 1, ChannelKind::email), kMonday + 1));
  REQUIRE(assign_now(e, 1, kMonday + 2) == "ann");
  REQUIRE(e.finish(1, kMonday + 3));
  CHECK_FALSE(e.agent("ann")->wrap_up_until);  // voice: 0 here
  REQUIRE(assign_now(e, 2, kMonday + 3) == "ann");
  REQUIRE(e.finish(2, kMonday + 4));
  CHECK(e.agent("ann")->wrap_up_until == kMonday + 4 + 10 * kSecondMs);
  CHECK(e.next_timer_at() == kMonday + 4 + 10 * kSecondMs);
}

TEST_CASE("going online ends a wrap-up early; an offer that was never taken starts none") {
  Policy p = wrap_up_policy();
  p.reservation_timeout_ms = 20 * kSecondMs;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(assign_now(e, 1, kMonday) == "ann");
  // Resolved while only offered: ann never had the call.
  REQUIRE(e.finish(1, kMonday + 1));
  CHECK_FALSE(e.agent("ann")->wrap_up_until);

  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + 2, ChannelKind::voice), kMonday + 2));
  REQUIRE(assign_now(e, 2, kMonday + 2) == "ann");
  REQUIRE(e.accept("ann", 2, kMonday + 3));
  REQUIRE(e.finish(2, kMonday + 4));
  REQUIRE(e.agent("ann")->wrap_up_until);
  REQUIRE(e.enqueue(conv(3, 3, Tier::C, kMonday + 5, ChannelKind::voice), kMonday + 5));
  CHECK(e.dispatch(kMonday + 6).empty());
  REQUIRE(e.set_presence("ann", Presence::online, kMonday + 7));
  CHECK_FALSE(e.agent("ann")->wrap_up_until);
  CHECK(assign_now(e, 3, kMonday + 7) == "ann");
  REQUIRE(e.accept("ann", 3, kMonday + 8));
  // The stale end of the cancelled wrap-up changes nothing when it comes due.
  CHECK(e.tick(kMonday + 4 + 30 * kSecondMs).second.empty());
  CHECK(e.agent("ann")->total_load == 1);
}

TEST_CASE("a conversation its agent did not take goes back at its place, never to that agent") {
  Engine e(wrap_up_policy());
  add_online(e, single_slot("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(assign_now(e, 1, kMonday) == "ann");
  // A later call waits behind the first one's original position.
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + kMinuteMs, ChannelKind::voice), kMonday + 1));

  CHECK_THAT(e.return_to_queue(1, "bob", kMonday + 2).error, Catch::Contains("unknown agent"));
  REQUIRE(e.return_to_queue(1, "", kMonday + 2));
  CHECK(e.conversation(1)->state == ConversationState::queued);
  CHECK(e.agent("ann")->total_load == 0);
  CHECK_FALSE(e.agent("ann")->wrap_up_until);  // not a finished call
  CHECK_THAT(e.explain(1), Catch::Contains("ann did not take it"));
  // ann gets the second call, not the first one again.
  auto d = e.dispatch(kMonday + 3);
  REQUIRE(d.size() == 1);
  CHECK(d[0].conversation == 2);
  REQUIRE(e.finish(2, kMonday + 4));
  add_online(e, single_slot("bob"), kMonday + 5);
  d = e.dispatch(kMonday + 5);
  REQUIRE(d.size() == 1);
  CHECK(d[0].conversation == 1);
  CHECK(d[0].agent == "bob");
  CHECK_THAT(e.return_to_queue(1, "ann", kMonday + 6).error, Catch::Contains("is with bob"));
}

TEST_CASE("returning an already re-queued conversation only excludes the named agent") {
  Policy p = plain_policy();
  p.reservation_timeout_ms = 20 * kSecondMs;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(assign_now(e, 1, kMonday) == "ann");
  REQUIRE(e.advance(kMonday + 20 * kSecondMs).size() == 1);  // the offer lapsed first
  CHECK_THAT(e.return_to_queue(1, "", kMonday + 21 * kSecondMs).error,
             Catch::Contains("not with an agent"));
  REQUIRE(e.return_to_queue(1, "ann", kMonday + 21 * kSecondMs));
  CHECK(e.dispatch(kMonday + 22 * kSecondMs).empty());
}

TEST_CASE("a conversation waiting on the customer runs its SLA clocks again when returned") {
  Engine e(plain_policy());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(assign_now(e, 1, kMonday) == "ann");
  REQUIRE(e.waiting_on_customer(1, kMonday + 1));
  REQUIRE(e.return_to_queue(1, "", kMonday + 2));
  const auto due = e.conversation(1)->deadlines.first_response_due;
  const auto events = e.advance(due);
  CHECK(std::any_of(events.begin(), events.end(), [](const TimerEvent& t) {
    return t.kind == TimerKind::first_response_breach;
  }));
}
