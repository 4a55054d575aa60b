// The SLA rules behind the timers, on their own: when each warning and breach comes due, which
// timers a pause holds back, and where a pause moves a deadline on a business calendar.
#include <catch2/catch.hpp>

#include "sla_timers.hpp"

using namespace omnigate::routing;

namespace {
constexpr UnixMs kMonday = 1795392000000LL;  // 2026-11-23 00:00 UTC

BusinessCalendar office_hours() {
  std::array<std::vector<OpenInterval>, 7> week;
  for (int d = 0; d < 5; ++d) week[d] = {{9 * 60, 17 * 60}};
  return BusinessCalendar("5x8", TimeZone(), week, {}, 0);
}
}  // namespace

TEST_CASE("warnings come due their lead time before the deadline, breaches at it") {
  const SlaDeadlines d{10'000, 50'000, 90'000};
  CHECK(deadline_of(d, 2000, TimerKind::first_response_warning) == 8000);
  CHECK(deadline_of(d, 2000, TimerKind::first_response_breach) == 10'000);
  CHECK(deadline_of(d, 2000, TimerKind::resolution_warning) == 48'000);
  CHECK(deadline_of(d, 2000, TimerKind::resolution_breach) == 50'000);
  CHECK(deadline_of(d, 2000, TimerKind::resolution_max_breach) == 90'000);
}

TEST_CASE("waiting on the customer holds back SLA timers, not escalations or offer expiry") {
  CHECK(pausable(TimerKind::first_response_breach));
  CHECK(pausable(TimerKind::resolution_warning));
  CHECK(pausable(TimerKind::progress_reminder));
  CHECK_FALSE(pausable(TimerKind::escalation));
  CHECK_FALSE(pausable(TimerKind::reservation_expired));
}

TEST_CASE("the deadline kinds are the warnings and breaches, each with its own bit") {
  CHECK(is_deadline_kind(TimerKind::resolution_max_breach));
  CHECK_FALSE(is_deadline_kind(TimerKind::progress_reminder));
  CHECK_FALSE(is_deadline_kind(TimerKind::escalation));
  unsigned seen = 0;
  for (const auto k : kDeadlineKinds) {
    CHECK((seen & timer_bit(k)) == 0);
    seen |= timer_bit(k);
  }
}

TEST_CASE("a pause moves a deadline by the service time it lasted, not the wall time") {
  const auto cal = office_hours();
  const UnixMs paused = kMonday + 10 * kHourMs;  // Monday 10:00, 4 open hours before 14:00
  const UnixMs due = kMonday + 14 * kHourMs;
  // Resumed Monday 16:00: 1 open hour left that day, 3 more from Tuesday 09:00.
  CHECK(resume_deadline(cal, due, paused, kMonday + 16 * kHourMs) ==
        kMonday + 24 * kHourMs + 12 * kHourMs);
  // Resumed in the night: the 4 hours start at the next opening.
  CHECK(resume_deadline(cal, due, paused, kMonday + 20 * kHourMs) ==
        kMonday + 24 * kHourMs + 13 * kHourMs);
}

TEST_CASE("a deadline already passed when the clock stopped stays where it was") {
  const auto cal = office_hours();
  const UnixMs due = kMonday + 10 * kHourMs;
  CHECK(resume_deadline(cal, due, kMonday + 11 * kHourMs, kMonday + 15 * kHourMs) == due);
  CHECK(resume_deadline(cal, due, due, kMonday + 15 * kHourMs) == due);
}
