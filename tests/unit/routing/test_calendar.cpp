#include <catch2/catch.hpp>
#include <omnigate/routing/calendar.hpp>
#include <omnigate/routing/policy.hpp>

#include "fixtures.hpp"

using namespace omnigate::routing;
using routing_test::kMonday;

namespace {
std::array<std::vector<OpenInterval>, 7> weekdays(std::vector<OpenInterval> day) {
  std::array<std::vector<OpenInterval>, 7> w;
  for (int d = 0; d < 5; ++d) w[d] = day;
  return w;
}
}  // namespace

TEST_CASE("a 7x24 calendar counts wall-clock time") {
  const BusinessCalendar always;
  CHECK(always.add_service_time(kMonday + 5, 2 * kHourMs) == kMonday + 5 + 2 * kHourMs);
  CHECK(always.service_time_between(kMonday, kMonday + kHourMs) == kHourMs);
}

TEST_CASE("a 5x8 calendar skips nights and weekends") {
  const BusinessCalendar office("5x8", TimeZone(), weekdays({{9 * 60, 17 * 60}}), {}, 0);
  // Friday 16:30 + 1h of service = Monday 09:30.
  const UnixMs friday_1630 = kMonday + 4 * 24 * kHourMs + 16 * kHourMs + 30 * kMinuteMs;
  CHECK(office.add_service_time(friday_1630, kHourMs) ==
        kMonday + 7 * 24 * kHourMs + 9 * kHourMs + 30 * kMinuteMs);
  // Arriving Saturday: the clock starts Monday 09:00.
  CHECK(office.add_service_time(kMonday + 5 * 24 * kHourMs, 15 * kMinuteMs) ==
        kMonday + 7 * 24 * kHourMs + 9 * kHourMs + 15 * kMinuteMs);
  CHECK(office.working_day_ms() == 8 * kHourMs);
  CHECK_FALSE(office.is_open(kMonday + 8 * kHourMs));
  CHECK(office.is_open(kMonday + 9 * kHourMs));
}

TEST_CASE("split shifts leave the lunch break out of service time") {
  const BusinessCalendar split("split", TimeZone(),
                               weekdays({{9 * 60, 12 * 60}, {13 * 60, 18 * 60}}), {}, 0);
  // Monday 11:30 + 1h = 13:30 (12:00-13:00 is closed).
  CHECK(split.add_service_time(kMonday + 11 * kHourMs + 30 * kMinuteMs, kHourMs) ==
        kMonday + 13 * kHourMs + 30 * kMinuteMs);
  CHECK(split.service_time_between(kMonday + 11 * kHourMs, kMonday + 14 * kHourMs) == 2 * kHourMs);
}

TEST_CASE("holidays are closed days") {
  const std::int32_t monday_day = static_cast<std::int32_t>(kMonday / (24 * kHourMs));
  const BusinessCalendar cal("h", TimeZone(), weekdays({{9 * 60, 17 * 60}}), {monday_day}, 0);
  CHECK(cal.add_service_time(kMonday + 10 * kHourMs, kHourMs) ==
        kMonday + 24 * kHourMs + 10 * kHourMs);
}

TEST_CASE("opening hours are local to the calendar's time zone, with daylight saving") {
  const auto berlin = TimeZone::parse("Europe/Berlin");
  CHECK(berlin.offset_ms_at(kMonday) == kHourMs);                             // November: CET
  CHECK(berlin.offset_ms_at(kMonday - 150LL * 24 * kHourMs) == 2 * kHourMs);  // June: CEST
  const BusinessCalendar cal("berlin", berlin, weekdays({{9 * 60, 17 * 60}}), {}, 0);
  // 09:00 in Berlin in November is 08:00 UTC.
  CHECK(cal.add_service_time(kMonday, 0 + 1) == kMonday + 8 * kHourMs + 1);
  // Monday 2026-06-29 09:00 in Berlin is 07:00 UTC (CEST).
  const UnixMs june_monday = kMonday - 147LL * 24 * kHourMs;
  CHECK(cal.add_service_time(june_monday, 1) == june_monday + 7 * kHourMs + 1);
  CHECK(cal.is_open(june_monday + 7 * kHourMs));
  CHECK_FALSE(cal.is_open(june_monday + 15 * kHourMs));  // 17:00 CEST

  const auto shanghai = TimeZone::parse("Asia/Shanghai");
  CHECK(shanghai.offset_ms_at(kMonday) == 8 * kHourMs);
  CHECK(TimeZone::parse("Etc/GMT-8").offset_ms_at(kMonday) == 8 * kHourMs);  // IANA: east
  CHECK(TimeZone::parse("UTC").offset_ms_at(kMonday) == 0);
}

TEST_CASE("service time across a daylight-saving switch counts the hours really open") {
  // 2026-03-29 (Sunday) Europe/Berlin springs forward 02:00 -> 03:00; a 7-day 00:00-24:00
  // calendar with a holiday (so not "always open") has a 23-hour Sunday.
  std::array<std::vector<OpenInterval>, 7> every_day;
  for (auto& d : every_day) d = {{0, 24 * 60}};
  const std::int32_t holiday = 20000;  // 2024-10-04: far from the dates below
  const BusinessCalendar cal("berlin", TimeZone::parse("Europe/Berlin"), every_day, {holiday}, 0);
  const UnixMs march_28_23utc = 1774738800000LL;  // 2026-03-29 00:00 CET
  const UnixMs march_29_22utc = 1774821600000LL;  // 2026-03-30 00:00 CEST
  CHECK(cal.service_time_between(march_28_23utc, march_29_22utc) == 23 * kHourMs);
  // Weekday office hours: Monday 2026-03-30 09:00 CEST = 07:00 UTC.
  const BusinessCalendar office("berlin", TimeZone::parse("Europe/Berlin"),
                                weekdays({{9 * 60, 17 * 60}}), {}, 0);
  CHECK(office.add_service_time(march_28_23utc, 1) == march_29_22utc + 9 * kHourMs + 1);
}

TEST_CASE("a time zone the tz database does not name is refused") {
  // POSIX rules and "UTC+5": the sign of "UTC+5" is east in ISO and west in POSIX.
  CHECK_THROWS_AS(TimeZone::parse("CET-1CEST,M3.5.0,M10.5.0/3"), std::invalid_argument);
  CHECK_THROWS_AS(TimeZone::parse("UTC+5"), std::invalid_argument);
  CHECK_THROWS_AS(TimeZone::parse("UTC+08:00"), std::invalid_argument);
  CHECK_THROWS_AS(TimeZone::parse("Mars/Olympus_Mons"), std::invalid_argument);
  CHECK_THROWS_AS(TimeZone::parse(""), std::invalid_argument);
}
