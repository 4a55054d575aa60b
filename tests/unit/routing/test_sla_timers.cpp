// SLA deadlines on tier calendars, pauses, warnings, breaches, escalations and reminders.
#include <algorithm>
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

namespace {
std::vector<TimerEvent> of_kind(const std::vector<TimerEvent>& events, TimerKind kind) {
  std::vector<TimerEvent> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out),
               [&](const TimerEvent& e) { return e.kind == kind; });
  return out;
}
}  // namespace

TEST_CASE("SLA deadlines follow the P1-P4 table on the tier's service hours") {
  const Policy p = Policy::defaults();  // A: 7x24; B and C: 5x8 Mon-Fri 09-17 UTC
  const UnixMs friday_1600 = kMonday + 4 * 24 * kHourMs + 16 * kHourMs;
  const UnixMs next_monday = kMonday + 7 * 24 * kHourMs;
  const auto a = compute_sla_deadlines(p, Tier::A, 1, false, friday_1600, ChannelKind::email);
  CHECK(a.first_response_due == friday_1600 + 15 * kMinuteMs);
  CHECK(a.resolution_due == friday_1600 + 2 * kHourMs);
  CHECK(a.resolution_max_due == friday_1600 + 4 * kHourMs);
  const auto b = compute_sla_deadlines(p, Tier::B, 2, false, friday_1600, ChannelKind::email);
  CHECK(b.first_response_due == friday_1600 + 30 * kMinuteMs);
  CHECK(b.resolution_due == next_monday + 12 * kHourMs);  // 1h Friday + 3h Monday
  // P3: 3 working days of 8 h = Friday 1 h + Mon 8 h + Tue 8 h + Wed 7 h.
  const auto c = compute_sla_deadlines(p, Tier::C, 3, false, friday_1600, ChannelKind::email);
  CHECK(c.resolution_due == next_monday + 2 * 24 * kHourMs + 16 * kHourMs);
  const auto dedicated =
      compute_sla_deadlines(p, Tier::A, 2, true, friday_1600, ChannelKind::email);
  CHECK(dedicated.first_response_due == friday_1600 + 15 * kMinuteMs);
}

TEST_CASE("warnings come before a breach and a first response stops them") {
  Policy p = plain_policy();
  p.sla.warn_before_ms = 5 * kMinuteMs;
  p.sla.escalate_at_once_up_to_priority = 0;
  p.sla.progress_update_up_to_priority = 0;
  Engine e(p);
  REQUIRE(e.enqueue(conv(1, 3, Tier::A, kMonday), kMonday));  // P3: 2 h first response
  REQUIRE(e.enqueue(conv(2, 3, Tier::A, kMonday), kMonday));
  CHECK(e.advance(kMonday + 114 * kMinuteMs).empty());
  auto ev = e.advance(kMonday + 115 * kMinuteMs);
  CHECK(of_kind(ev, TimerKind::first_response_warning).size() == 2);
  REQUIRE(e.record_first_response(2, kMonday + 116 * kMinuteMs));
  ev = e.advance(kMonday + 120 * kMinuteMs);
  const auto breaches = of_kind(ev, TimerKind::first_response_breach);
  REQUIRE(breaches.size() == 1);
  CHECK(breaches[0].conversation == 1);
  CHECK(breaches[0].target == "supervisor");
}

TEST_CASE("the SLA clock pauses while the conversation waits on the customer") {
  const auto breach_time = [](bool pause) {
    Policy p = plain_policy();
    p.sla.pause_while_waiting_customer = pause;
    p.sla.warn_before_ms = 0;
    Engine e(p);
    add_online(e, agent("ann"), kMonday);
    REQUIRE(e.enqueue(conv(1, 1, Tier::A, kMonday), kMonday));  // resolution 2 h
    REQUIRE(e.dispatch(kMonday).size() == 1);
    REQUIRE(e.record_first_response(1, kMonday + kMinuteMs));
    REQUIRE(e.waiting_on_customer(1, kMonday + kHourMs));
    REQUIRE(e.customer_replied(1, kMonday + 4 * kHourMs));  // 3 h with the customer
    for (UnixMs t = kMonday + kHourMs; t <= kMonday + 10 * kHourMs; t += kMinuteMs)
      if (!of_kind(e.advance(t), TimerKind::resolution_breach).empty()) return t;
    return UnixMs{0};
  };
  CHECK(breach_time(true) == kMonday + 5 * kHourMs);
  CHECK(breach_time(false) == kMonday + 2 * kHourMs);
}

TEST_CASE("P1/P2 escalate to supervisors at once, P3 does not") {
  Engine e(plain_policy());
  REQUIRE(e.enqueue(conv(1, 1, Tier::C, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(2, 2, Tier::C, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(3, 3, Tier::C, kMonday), kMonday));
  const auto ev = of_kind(e.advance(kMonday), TimerKind::escalation);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].target == "supervisor");
  CHECK(ev[0].conversation != 3);
  CHECK(ev[1].conversation != 3);
}

TEST_CASE("P1/P2 get a progress-update reminder every 30 minutes until resolved") {
  Engine e(plain_policy());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 2, Tier::A, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::A, kMonday), kMonday));
  REQUIRE(e.dispatch(kMonday).size() == 2);
  std::vector<UnixMs> reminders;
  for (UnixMs t = kMonday; t <= kMonday + 100 * kMinuteMs; t += kMinuteMs) {
    if (t == kMonday + 70 * kMinuteMs) REQUIRE(e.finish(1, t));
    for (const auto& ev : of_kind(e.advance(t), TimerKind::progress_reminder)) {
      CHECK(ev.conversation == 1);
      CHECK(ev.target == "ann");
      reminders.push_back(ev.due_at - kMonday);
    }
  }
  CHECK(reminders == std::vector<UnixMs>{30 * kMinuteMs, 60 * kMinuteMs});
}

TEST_CASE("a rebuilt conversation does not raise again what its transcript shows as raised") {
  Policy p = plain_policy();
  p.sla.warn_before_ms = 5 * kMinuteMs;
  p.sla.progress_update_up_to_priority = 0;
  const UnixMs later = kMonday + 3 * kHourMs;  // the P2 first response is long overdue
  const auto rebuilt = [&](std::vector<TimerKind> raised) {
    Engine e(p);
    auto c = conv(1, 2, Tier::A, kMonday);  // P2: escalated to supervisors at once
    c.raised_before = std::move(raised);
    REQUIRE(e.enqueue(c, later));
    return e.advance(later + 1000);
  };
  // Nothing raised before (the gateway was down): every overdue timer fires once now.
  auto ev = rebuilt({});
  CHECK(of_kind(ev, TimerKind::escalation).size() == 1);
  CHECK(of_kind(ev, TimerKind::first_response_warning).size() == 1);
  CHECK(of_kind(ev, TimerKind::first_response_breach).size() == 1);
  // Raised before: none of them again.
  ev = rebuilt(
      {TimerKind::escalation, TimerKind::first_response_warning, TimerKind::first_response_breach});
  CHECK(of_kind(ev, TimerKind::escalation).empty());
  CHECK(of_kind(ev, TimerKind::first_response_warning).empty());
  CHECK(of_kind(ev, TimerKind::first_response_breach).empty());
  // A breach raised for a deadline that now lies ahead (the priority was lowered since) is
  // watched again: it fires when the new deadline passes.
  Engine e(p);
  auto c = conv(1, 4, Tier::A, kMonday);  // P4: the deadlines are days away
  c.raised_before = {TimerKind::resolution_breach};
  REQUIRE(e.enqueue(c, later));
  const auto due = e.sla_deadlines(1)->resolution_due;
  CHECK(of_kind(e.advance(due - 1000), TimerKind::resolution_breach).empty());
  CHECK(of_kind(e.advance(due + 1000), TimerKind::resolution_breach).size() == 1);
}
