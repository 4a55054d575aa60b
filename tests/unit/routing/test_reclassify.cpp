// Reclassifying a conversation after it arrived: a new priority (queue place, SLA deadlines and
// their timers).
#include <algorithm>
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

namespace {

// Only the timers a test looks at: no warnings, no escalation at once, no progress reminders.
Policy breaches_only() {
  Policy p = plain_policy();
  p.sla.warn_before_ms = 0;
  p.sla.escalate_at_once_up_to_priority = 0;
  p.sla.progress_update_up_to_priority = 0;
  return p;
}

// When each event of `kind` from `from` to `to` was due, advancing minute by minute.
std::vector<UnixMs> fired(Engine& e, TimerKind kind, UnixMs from, UnixMs to) {
  std::vector<UnixMs> out;
  for (UnixMs t = from; t <= to; t += kMinuteMs)
    for (const auto& ev : e.advance(t))
      if (ev.kind == kind) out.push_back(ev.due_at);
  return out;
}

}  // namespace

TEST_CASE("a new priority moves a queued conversation to its new place in the queue") {
  Engine e(plain_policy());
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + 1000), kMonday + 1000));
  REQUIRE(e.enqueue(conv(3, 4, Tier::C, kMonday + 2000), kMonday + 2000));
  REQUIRE(e.set_priority(3, 1, kMonday + 3000));  // last in line, now first
  REQUIRE(e.set_priority(1, 4, kMonday + 3000));  // first in line, now behind 2
  CHECK_THAT(e.explain(3), Catch::Contains("queued at position 1 of 3"));
  add_online(e, single_slot("ann"), kMonday + 4000);
  CHECK(drain_order(e, "ann", kMonday + 4000) == std::vector<ConversationId>{3, 2, 1});
}

TEST_CASE("a raised priority brings the first-response deadline forward and only it fires") {
  Engine e(breaches_only());
  REQUIRE(e.enqueue(conv(1, 3, Tier::A, kMonday), kMonday));  // P3/A: first response in 2 h
  REQUIRE(e.set_priority(1, 1, kMonday + 5 * kMinuteMs));     // P1/A: 15 min from arrival
  CHECK(e.sla_deadlines(1)->first_response_due == kMonday + 15 * kMinuteMs);
  const auto breaches = fired(e, TimerKind::first_response_breach, kMonday, kMonday + 3 * kHourMs);
  CHECK(breaches == std::vector<UnixMs>{kMonday + 15 * kMinuteMs});
}

TEST_CASE("a lowered priority's old deadline timers do not fire, the new deadline does") {
  Engine e(breaches_only());
  REQUIRE(e.enqueue(conv(1, 1, Tier::A, kMonday), kMonday));  // P1/A: first response in 15 min
  REQUIRE(e.set_priority(1, 3, kMonday + 5 * kMinuteMs));     // P3/A: 2 h from arrival
  const auto breaches = fired(e, TimerKind::first_response_breach, kMonday, kMonday + 3 * kHourMs);
  CHECK(breaches == std::vector<UnixMs>{kMonday + 2 * kHourMs});
}

TEST_CASE("an assigned conversation keeps its agent when its priority changes") {
  Engine e(breaches_only());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 4, Tier::A, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  const auto before = *e.sla_deadlines(1);
  REQUIRE(e.set_priority(1, 2, kMonday + kMinuteMs));
  const auto view = *e.conversation(1);
  CHECK(view.state == ConversationState::assigned);
  CHECK(view.agent == "ann");
  CHECK(view.deadlines.resolution_due < before.resolution_due);
  CHECK_THAT(e.explain(1), Catch::Contains("priority changed from P4 to P2"));
  CHECK(e.agent("ann")->total_load == 1);
}

TEST_CASE("a priority outside 1..4 or an unknown conversation is refused") {
  Engine e(plain_policy());
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  CHECK_THAT(e.set_priority(1, 0, kMonday).error, Catch::Contains("1..4"));
  CHECK_THAT(e.set_priority(1, 5, kMonday).error, Catch::Contains("1..4"));
  CHECK_THAT(e.set_priority(9, 1, kMonday).error, Catch::Contains("unknown conversation 9"));
}
