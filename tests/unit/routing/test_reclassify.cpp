// Reclassifying a conversation after it arrived: a new priority (queue place, SLA deadlines and
// their timers) and a complaint (escalation levels measured from when it was raised).
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

// Every event of `kind` from `from` to `to`, advancing minute by minute: (due_at, level).
std::vector<std::pair<UnixMs, int>> fired(Engine& e, TimerKind kind, UnixMs from, UnixMs to) {
  std::vector<std::pair<UnixMs, int>> out;
  for (UnixMs t = from; t <= to; t += kMinuteMs)
    for (const auto& ev : e.advance(t))
      if (ev.kind == kind) out.emplace_back(ev.due_at, ev.level);
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
  CHECK(breaches == std::vector<std::pair<UnixMs, int>>{{kMonday + 15 * kMinuteMs, 0}});
}

TEST_CASE("a lowered priority's old deadline timers do not fire, the new deadline does") {
  Engine e(breaches_only());
  REQUIRE(e.enqueue(conv(1, 1, Tier::A, kMonday), kMonday));  // P1/A: first response in 15 min
  REQUIRE(e.set_priority(1, 3, kMonday + 5 * kMinuteMs));     // P3/A: 2 h from arrival
  const auto breaches = fired(e, TimerKind::first_response_breach, kMonday, kMonday + 3 * kHourMs);
  CHECK(breaches == std::vector<std::pair<UnixMs, int>>{{kMonday + 2 * kHourMs, 0}});
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
  CHECK_THAT(e.raise_complaint(9, kMonday).error, Catch::Contains("unknown conversation 9"));
}

TEST_CASE("a complaint escalates 1 h, 4 h and 24 h after it was raised, not after arrival") {
  Engine e(breaches_only());
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  const UnixMs raised = kMonday + 2 * kHourMs;
  REQUIRE(e.raise_complaint(1, raised));
  // A second complaint about the same conversation does not restart or double the levels.
  REQUIRE(e.raise_complaint(1, raised + 30 * kMinuteMs));
  CHECK_THAT(e.explain(1), Catch::Contains("complaint raised at " + std::to_string(raised)));
  const auto levels = fired(e, TimerKind::complaint_escalation, kMonday, kMonday + 27 * kHourMs);
  CHECK(levels == std::vector<std::pair<UnixMs, int>>{{raised + kHourMs, 1},
                                                      {raised + 4 * kHourMs, 2},
                                                      {raised + 24 * kHourMs, 3}});
}

TEST_CASE("a conversation re-entering with its complaint time keeps the original level times") {
  // What the gateway does on restart: the stored complaint time comes back in the spec.
  Engine e(breaches_only());
  auto c = conv(1, 3, Tier::C, kMonday);
  c.complaint_at = kMonday + 2 * kHourMs;
  REQUIRE(e.enqueue(c, kMonday + 150 * kMinuteMs));
  const auto levels =
      fired(e, TimerKind::complaint_escalation, kMonday + 150 * kMinuteMs, kMonday + 7 * kHourMs);
  CHECK(levels == std::vector<std::pair<UnixMs, int>>{{kMonday + 3 * kHourMs, 1},
                                                      {kMonday + 6 * kHourMs, 2}});
}

TEST_CASE("resolving a complaint stops its escalation") {
  Engine e(breaches_only());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 1);
  REQUIRE(e.raise_complaint(1, kMonday));
  CHECK(fired(e, TimerKind::complaint_escalation, kMonday, kMonday + 2 * kHourMs).size() == 1);
  REQUIRE(e.finish(1, kMonday + 2 * kHourMs));
  CHECK(fired(e, TimerKind::complaint_escalation, kMonday + 2 * kHourMs, kMonday + 30 * kHourMs)
            .empty());
}

TEST_CASE("a rebuilt complaint resumes after the levels already raised") {
  Engine e(breaches_only());
  auto c = conv(1, 3, Tier::C, kMonday);
  c.complaint_at = kMonday;
  c.complaint_levels_raised = 1;  // level 1 went out before the restart at 2 h
  REQUIRE(e.enqueue(c, kMonday + 2 * kHourMs));
  const auto levels =
      fired(e, TimerKind::complaint_escalation, kMonday + 2 * kHourMs, kMonday + 25 * kHourMs);
  CHECK(levels == std::vector<std::pair<UnixMs, int>>{{kMonday + 4 * kHourMs, 2},
                                                      {kMonday + 24 * kHourMs, 3}});
}
