// SLA timers of a conversation rebuilt after a restart, and progress reminders on the tier's
// calendar: the rhythm counted from arrival in service time, the times reported being the
// deadlines' own, a pause that shifted the deadlines surviving the rebuild; timer kinds read
// back from the transcript.
#include <algorithm>
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

namespace {
constexpr UnixMs kDayMs = 24 * kHourMs;

// Only progress reminders: no warnings, no escalation at once.
Policy reminders_only() {
  Policy p = plain_policy();
  p.sla.warn_before_ms = 0;
  p.sla.escalate_at_once_up_to_priority = 0;
  return p;
}

// The due_at of every progress reminder of `id` from `from` to `to`, advancing minute by minute.
std::vector<UnixMs> reminders(Engine& e, ConversationId id, UnixMs from, UnixMs to) {
  std::vector<UnixMs> out;
  for (UnixMs t = from; t <= to; t += kMinuteMs)
    for (const auto& ev : e.advance(t))
      if (ev.kind == TimerKind::progress_reminder && ev.conversation == id)
        out.push_back(ev.due_at);
  return out;
}

// Monday to Friday 09-17 UTC, with Monday of the week after kMonday a holiday.
Policy office_hours_with_holiday() {
  Policy p = Policy::defaults();
  p.sla.escalate_at_once_up_to_priority = 0;
  std::array<std::vector<OpenInterval>, 7> week;
  for (int d = 0; d < 5; ++d) week[d] = {{9 * 60, 17 * 60}};
  const auto next_monday = static_cast<std::int32_t>(kMonday / kDayMs + 7);
  p.calendars.erase("5x8");
  p.calendars.emplace("5x8", BusinessCalendar("5x8", TimeZone(), week, {next_monday}, 8 * kHourMs));
  return p;
}
}  // namespace

TEST_CASE("timer kinds read back from the transcript: every kind by its name, none else") {
  for (int i = 0; i <= static_cast<int>(TimerKind::reservation_expired); ++i) {
    const auto kind = static_cast<TimerKind>(i);
    CHECK(timer_kind_from_string(to_string(kind)) == kind);
  }
  // An older gateway wrote complaint escalations as sla.complaint_escalation events: a rebuild
  // skips them (the complaint ladder keeps its own records).
  CHECK_FALSE(timer_kind_from_string("complaint_escalation"));
  CHECK_FALSE(timer_kind_from_string(""));
}

TEST_CASE("progress reminders keep their rhythm from arrival across a rebuild") {
  // Down from 0:50 to 1:15: the 1:00 reminder was missed. The rebuild raises it once at start
  // and the rhythm stays on the half hours from arrival (not 1:45, 2:15 from the restart).
  Engine e(reminders_only());
  add_online(e, agent("ann"), kMonday);
  auto c = conv(1, 2, Tier::A, kMonday);
  c.last_progress_reminder = kMonday + 30 * kMinuteMs;
  const UnixMs restart = kMonday + 75 * kMinuteMs;
  REQUIRE(e.enqueue(c, restart));
  CHECK(reminders(e, 1, restart, kMonday + 120 * kMinuteMs) ==
        std::vector<UnixMs>{kMonday + 60 * kMinuteMs, kMonday + 90 * kMinuteMs,
                            kMonday + 120 * kMinuteMs});
}

TEST_CASE("a rebuild after missing several reminder slots raises one, not one per slot") {
  Engine e(reminders_only());
  auto c = conv(1, 1, Tier::A, kMonday);
  c.last_progress_reminder = kMonday + 30 * kMinuteMs;
  const UnixMs restart = kMonday + 200 * kMinuteMs;  // 1:00 .. 3:00 missed
  REQUIRE(e.enqueue(c, restart));
  CHECK(reminders(e, 1, restart, kMonday + 210 * kMinuteMs) ==
        std::vector<UnixMs>{kMonday + 180 * kMinuteMs, kMonday + 210 * kMinuteMs});
}

TEST_CASE("a rebuild with no reminder raised yet keeps the arrival-based rhythm") {
  Engine e(reminders_only());
  const UnixMs restart = kMonday + 75 * kMinuteMs;
  REQUIRE(e.enqueue(conv(1, 2, Tier::A, kMonday), restart));
  CHECK(reminders(e, 1, restart, kMonday + 90 * kMinuteMs) ==
        std::vector<UnixMs>{kMonday + 60 * kMinuteMs, kMonday + 90 * kMinuteMs});
}

TEST_CASE("progress reminders follow the tier's calendar: none over a weekend and a holiday") {
  const Policy p = office_hours_with_holiday();  // tier B: 5x8
  Engine e(p);
  const UnixMs friday_1600 = kMonday + 4 * kDayMs + 16 * kHourMs;
  const UnixMs tuesday = kMonday + 8 * kDayMs;  // Monday is the holiday
  REQUIRE(e.enqueue(conv(1, 1, Tier::B, friday_1600), friday_1600));
  const auto got = reminders(e, 1, friday_1600, tuesday + 10 * kHourMs);
  CHECK(got == std::vector<UnixMs>{friday_1600 + 30 * kMinuteMs, friday_1600 + kHourMs,
                                   tuesday + 9 * kHourMs + 30 * kMinuteMs, tuesday + 10 * kHourMs});
}

TEST_CASE("a reminder missed before a closed weekend is raised when the calendar opens") {
  Engine e(office_hours_with_holiday());
  const UnixMs friday_1600 = kMonday + 4 * kDayMs + 16 * kHourMs;
  const UnixMs saturday = kMonday + 5 * kDayMs + 12 * kHourMs;
  const UnixMs tuesday_0900 = kMonday + 8 * kDayMs + 9 * kHourMs;
  auto c = conv(1, 1, Tier::B, friday_1600);
  c.last_progress_reminder = friday_1600 + 30 * kMinuteMs;  // the 17:00 one was missed
  REQUIRE(e.enqueue(c, saturday));
  std::vector<std::pair<UnixMs, UnixMs>> raised;  // (when, due_at)
  for (UnixMs t = saturday; t <= tuesday_0900 + 30 * kMinuteMs; t += kMinuteMs)
    for (const auto& ev : e.advance(t))
      if (ev.kind == TimerKind::progress_reminder) raised.emplace_back(t, ev.due_at);
  CHECK(raised == std::vector<std::pair<UnixMs, UnixMs>>{
                      {tuesday_0900, friday_1600 + kHourMs},
                      {tuesday_0900 + 30 * kMinuteMs, tuesday_0900 + 30 * kMinuteMs}});
}

TEST_CASE("a warning or breach that came due while the gateway was down reports its deadline") {
  Policy p = reminders_only();
  p.sla.warn_before_ms = 5 * kMinuteMs;
  p.sla.progress_update_up_to_priority = 0;
  Engine e(p);
  const UnixMs restart = kMonday + 3 * kHourMs;
  REQUIRE(e.enqueue(conv(1, 2, Tier::A, kMonday), restart));
  const auto due = e.sla_deadlines(1)->first_response_due;
  REQUIRE(due < restart);
  std::map<TimerKind, UnixMs> due_at;
  for (const auto& ev : e.advance(restart)) due_at[ev.kind] = ev.due_at;
  CHECK(due_at.at(TimerKind::first_response_warning) == due - 5 * kMinuteMs);
  CHECK(due_at.at(TimerKind::first_response_breach) == due);
}

TEST_CASE("deadlines a pause shifted, and an ongoing pause, survive a rebuild") {
  Policy p = reminders_only();
  p.sla.progress_update_up_to_priority = 0;
  // Before the restart: P1 (2 h resolution) paused from 1:00 to 4:00, so due at 5:00; paused
  // again at 4:30 with 30 min left. The restart is at 6:00; the customer replies at 7:00.
  Engine before(p);
  add_online(before, agent("ann"), kMonday);
  REQUIRE(before.enqueue(conv(1, 1, Tier::A, kMonday), kMonday));
  REQUIRE(before.dispatch(kMonday).size() == 1);
  REQUIRE(before.record_first_response(1, kMonday + kMinuteMs));
  REQUIRE(before.waiting_on_customer(1, kMonday + kHourMs));
  REQUIRE(before.customer_replied(1, kMonday + 4 * kHourMs));
  REQUIRE(before.waiting_on_customer(1, kMonday + 270 * kMinuteMs));
  const auto view = before.conversation(1);
  REQUIRE(view->deadlines.resolution_due == kMonday + 5 * kHourMs);
  REQUIRE(view->paused_since == kMonday + 270 * kMinuteMs);

  const UnixMs restart = kMonday + 6 * kHourMs;
  Engine after(p);
  add_online(after, agent("ann"), restart);
  auto c = conv(1, 1, Tier::A, kMonday);
  c.deadlines = view->deadlines;
  REQUIRE(after.enqueue(c, restart));
  REQUIRE(after.transfer_to_agent(1, "ann", restart));
  REQUIRE(after.record_first_response(1, restart));
  REQUIRE(after.waiting_on_customer(1, *view->paused_since));
  CHECK(after.advance(restart).empty());
  REQUIRE(after.customer_replied(1, kMonday + 7 * kHourMs));
  CHECK(after.sla_deadlines(1)->resolution_due == kMonday + 7 * kHourMs + 30 * kMinuteMs);
  std::vector<UnixMs> breaches;
  for (UnixMs t = kMonday + 7 * kHourMs; t <= kMonday + 8 * kHourMs; t += kMinuteMs)
    for (const auto& ev : after.advance(t))
      if (ev.kind == TimerKind::resolution_breach) breaches.push_back(t);
  CHECK(breaches == std::vector<UnixMs>{kMonday + 7 * kHourMs + 30 * kMinuteMs});
}
