// ServiceHours against the system tz database: every instant below is written in UTC and was
// worked out from the zone's published offsets (Berlin CET +1 / CEST +2 from 2026-03-29 01:00Z;
// New York EST -5 / EDT -4 from 2026-03-08 07:00Z; Shanghai +8 all year).
#include "service_hours.hpp"

#include <omnigate/plugin.hpp>

#include <date/date.h>
#include <catch2/catch.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

using nlohmann::json;
using omnigate::ConfigError;
using omnigate::webchat::ServiceHours;
using Time = std::chrono::system_clock::time_point;

namespace {

Time utc(int y, unsigned m, unsigned d, int h, int min) {
  return date::sys_days{date::year{y} / m / d} + std::chrono::hours{h} + std::chrono::minutes{min};
}

std::string text(std::optional<Time> t) {
  if (!t) return "nullopt";
  return date::format("%F %RZ", std::chrono::floor<std::chrono::minutes>(*t));
}

ServiceHours hours(const char* zone, json weekly, json closed = json::array()) {
  return ServiceHours::from_json(
      {{"time_zone", zone}, {"weekly", std::move(weekly)}, {"closed", std::move(closed)}});
}

// The ConfigError message of a config, or "" when it is accepted.
std::string refusal(const json& config) {
  try {
    ServiceHours::from_json(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Europe/Berlin: office hours keep local time across the March DST switch") {
  const ServiceHours h = hours("Europe/Berlin", {"mon-fri 08:00-18:00", "sat 10:00-14:00"});
  // Friday 2026-03-27, CET: 07:00Z-17:00Z.
  CHECK_FALSE(h.open_at(utc(2026, 3, 27, 6, 59)));
  CHECK(h.open_at(utc(2026, 3, 27, 7, 0)));
  CHECK(h.open_at(utc(2026, 3, 27, 16, 59)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 27, 17, 0)));
  // Saturday 10:00-14:00 CET, Sunday closed.
  CHECK(h.open_at(utc(2026, 3, 28, 9, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 28, 13, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 29, 9, 0)));
  // Monday 2026-03-30, CEST: 06:00Z-16:00Z.
  CHECK_FALSE(h.open_at(utc(2026, 3, 30, 5, 59)));
  CHECK(h.open_at(utc(2026, 3, 30, 6, 0)));
  CHECK(h.open_at(utc(2026, 3, 30, 15, 59)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 30, 16, 0)));

  CHECK(text(h.next_opening(utc(2026, 3, 27, 17, 0))) == "2026-03-28 09:00Z");
  CHECK(text(h.next_opening(utc(2026, 3, 28, 13, 0))) == "2026-03-30 06:00Z");
  // Open now: the next period, not this one.
  CHECK(text(h.next_opening(utc(2026, 3, 27, 8, 0))) == "2026-03-28 09:00Z");
}

TEST_CASE("Europe/Berlin: windows on the night the clocks go forward") {
  SECTION("01:00-04:00 lasts two hours") {
    const ServiceHours h = hours("Europe/Berlin", {"sun 01:00-04:00"});
    CHECK_FALSE(h.open_at(utc(2026, 3, 28, 23, 59)));
    CHECK(h.open_at(utc(2026, 3, 29, 0, 0)));   // 01:00 CET
    CHECK(h.open_at(utc(2026, 3, 29, 1, 59)));  // 03:59 CEST
    CHECK_FALSE(h.open_at(utc(2026, 3, 29, 2, 0)));
    CHECK(text(h.next_opening(utc(2026, 3, 28, 12, 0))) == "2026-03-29 00:00Z");
  }
  SECTION("a start inside the skipped hour opens when the clock reaches 03:00") {
    const ServiceHours h = hours("Europe/Berlin", {"sun 02:30-05:00"});
    CHECK_FALSE(h.open_at(utc(2026, 3, 29, 0, 59)));  // 01:59 CET
    CHECK(h.open_at(utc(2026, 3, 29, 1, 0)));         // 03:00 CEST
    CHECK(text(h.next_opening(utc(2026, 3, 28, 12, 0))) == "2026-03-29 01:00Z");
    // A week later, in summer time: 02:30 CEST.
    CHECK(text(h.next_opening(utc(2026, 3, 29, 12, 0))) == "2026-04-05 00:30Z");
  }
}

TEST_CASE("Asia/Shanghai: UTC+8 all year") {
  const ServiceHours h = hours("Asia/Shanghai", {"mon-fri 09:00-18:00"});
  // Monday 2026-01-05 09:00 local is 01:00Z; and in July the same.
  CHECK_FALSE(h.open_at(utc(2026, 1, 5, 0, 59)));
  CHECK(h.open_at(utc(2026, 1, 5, 1, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 1, 5, 10, 0)));
  CHECK(h.open_at(utc(2026, 7, 6, 1, 0)));
  // Sunday 2026-01-04 17:00Z is already Monday 01:00 in Shanghai.
  CHECK(text(h.next_opening(utc(2026, 1, 4, 17, 0))) == "2026-01-05 01:00Z");
  // Friday 2026-01-09 10:00Z (18:00 local) → Monday 2026-01-12 09:00 local.
  CHECK(text(h.next_opening(utc(2026, 1, 9, 10, 0))) == "2026-01-12 01:00Z");
}

TEST_CASE("America/New_York: a window past midnight, and the March switch") {
  const ServiceHours h = hours("America/New_York", {"fri 22:00-02:00", "mon-fri 09:00-17:00"});
  // Friday 2026-01-09 22:00 EST = Saturday 03:00Z, until Saturday 02:00 EST = 07:00Z.
  CHECK_FALSE(h.open_at(utc(2026, 1, 10, 2, 59)));
  CHECK(h.open_at(utc(2026, 1, 10, 3, 0)));
  CHECK(h.open_at(utc(2026, 1, 10, 5, 0)));  // Saturday 00:00 EST
  CHECK(h.open_at(utc(2026, 1, 10, 6, 59)));
  CHECK_FALSE(h.open_at(utc(2026, 1, 10, 7, 0)));
  // Only Friday's window runs past midnight: Thursday night is closed.
  CHECK_FALSE(h.open_at(utc(2026, 1, 9, 5, 0)));  // Friday 00:00 EST
  CHECK(text(h.next_opening(utc(2026, 1, 9, 22, 0))) == "2026-01-10 03:00Z");
  // 09:00 EST = 14:00Z on Friday 2026-03-06; 09:00 EDT = 13:00Z on Monday 2026-03-09.
  CHECK(h.open_at(utc(2026, 3, 6, 14, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 6, 13, 59)));
  CHECK_FALSE(h.open_at(utc(2026, 3, 9, 12, 59)));
  CHECK(h.open_at(utc(2026, 3, 9, 13, 0)));
  CHECK(text(h.next_opening(utc(2026, 3, 7, 12, 0))) == "2026-03-09 13:00Z");
}

TEST_CASE("closed dates close the whole local day") {
  // 2026-12-24 is a Thursday, 2026-12-25 a Friday (Berlin: CET, +1).
  SECTION("office hours") {
    const ServiceHours h =
        hours("Europe/Berlin", {"mon-fri 08:00-18:00"}, {"2026-12-25", "2026-12-26"});
    CHECK(h.open_at(utc(2026, 12, 24, 10, 0)));
    CHECK_FALSE(h.open_at(utc(2026, 12, 25, 10, 0)));
    CHECK(text(h.next_opening(utc(2026, 12, 24, 17, 0))) == "2026-12-28 07:00Z");
  }
  SECTION("a window past midnight is cut at the closed day") {
    const ServiceHours h = hours("Europe/Berlin", {"thu 22:00-02:00"}, {"2026-12-25"});
    CHECK(h.open_at(utc(2026, 12, 24, 22, 59)));  // Thursday 23:59
    CHECK_FALSE(h.open_at(utc(2026, 12, 24, 23, 0)));
    CHECK(h.open_at(utc(2026, 12, 31, 23, 30)));  // the next Friday is not closed
  }
  SECTION("a window that began on a closed day opens at midnight") {
    const ServiceHours h = hours("Europe/Berlin", {"thu 22:00-02:00"}, {"2026-12-24"});
    CHECK_FALSE(h.open_at(utc(2026, 12, 24, 21, 30)));
    CHECK(h.open_at(utc(2026, 12, 24, 23, 0)));  // Friday 00:00
    CHECK(text(h.next_opening(utc(2026, 12, 24, 12, 0))) == "2026-12-24 23:00Z");
  }
  SECTION("closed dates far ahead are searched past") {
    json closed = json::array();
    for (int d = 1; d <= 31; ++d)
      closed.push_back(date::format("%F", date::sys_days{date::year{2027} / 1 / d}));
    const ServiceHours h = hours("Asia/Shanghai", {"mon-sun 09:00-10:00"}, closed);
    CHECK(text(h.next_opening(utc(2026, 12, 31, 12, 0))) == "2027-02-01 01:00Z");
  }
}

TEST_CASE("day lists and ranges") {
  const ServiceHours h = hours("Asia/Shanghai", {"sat-mon,wed 10:00-24:00"});
  // 2026-01-03 Saturday .. 2026-01-07 Wednesday; 10:00 local = 02:00Z.
  CHECK(h.open_at(utc(2026, 1, 3, 2, 0)));
  CHECK(h.open_at(utc(2026, 1, 4, 15, 59)));  // Sunday 23:59
  CHECK(h.open_at(utc(2026, 1, 5, 2, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 1, 6, 2, 0)));  // Tuesday
  CHECK(h.open_at(utc(2026, 1, 7, 2, 0)));
  CHECK_FALSE(h.open_at(utc(2026, 1, 8, 2, 0)));
  // Sunday ends at 24:00 and Monday begins at 10:00: closed in between.
  CHECK_FALSE(h.open_at(utc(2026, 1, 4, 16, 0)));
}

TEST_CASE("always open, and never open") {
  const ServiceHours always = ServiceHours::always_open();
  CHECK(always.open_at(utc(2026, 12, 25, 3, 0)));
  CHECK_FALSE(always.next_opening(utc(2026, 12, 25, 3, 0)));
  const ServiceHours never = hours("UTC", json::array());
  CHECK_FALSE(never.open_at(utc(2026, 12, 25, 3, 0)));
  CHECK_FALSE(never.next_opening(utc(2026, 12, 25, 3, 0)));
}

TEST_CASE("bad service_hours are refused naming the key") {
  const json ok_weekly = {"mon-fri 08:00-18:00"};
  CHECK(refusal({{"time_zone", "Europe/Berlin"}, {"weekly", ok_weekly}}).empty());
  CHECK(refusal({{"time_zone", "Mars/Olympus_Mons"}, {"weekly", ok_weekly}})
            .rfind("service_hours.time_zone: ", 0) == 0);
  CHECK(refusal({{"time_zone", 1}, {"weekly", ok_weekly}}).rfind("service_hours.time_zone: ", 0) ==
        0);
  CHECK(refusal({{"weekly", ok_weekly}}) == "service_hours.time_zone: is required");
  CHECK(refusal({{"time_zone", "UTC"}}) == "service_hours.weekly: is required");
  CHECK(refusal({{"time_zone", "UTC"}, {"weekly", "mon-fri 08:00-18:00"}})
            .rfind("service_hours.weekly: ", 0) == 0);
  CHECK(refusal({{"time_zone", "UTC"}, {"weekly", ok_weekly}, {"timezone", "UTC"}}) ==
        "service_hours.timezone: unknown key");
  CHECK(refusal(json::array()) == "service_hours: must be an object");
  for (const char* bad :
       {"mon-fri 8:00-18:00", "mon-fri 08:00-25:00", "mon-fri 08:60-18:00", "funday 08:00-18:00",
        "mon-fri 08:00", "mon-fri", "mon 10:00-10:00", "mon, 08:00-09:00", "mon-fri  08:00-18:00",
        " 08:00-18:00", "Mon 08:00-18:00", "mon 24:00-02:00", "mon 08:00-18:00 x", ""}) {
    INFO(bad);
    CHECK(refusal({{"time_zone", "UTC"}, {"weekly", {"sat 10:00-12:00", bad}}})
              .rfind("service_hours.weekly[1]: ", 0) == 0);
  }
  for (const char* bad : {"2026-02-30", "2026-1-5", "2026-12-25x", "25.12.2026", ""}) {
    INFO(bad);
    CHECK(refusal({{"time_zone", "UTC"}, {"weekly", ok_weekly}, {"closed", {bad}}})
              .rfind("service_hours.closed[0]: ", 0) == 0);
  }
}

TEST_CASE("kServiceHoursSchema is draft-07 that accepts what from_json accepts") {
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  const json schema_document = json::parse(omnigate::webchat::kServiceHoursSchema);
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(schema_document), schema);
  auto valid = [&](const json& config) {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    return validator.validate(schema, valijson::adapters::NlohmannJsonAdapter(config), nullptr);
  };
  const json example = {
      {"time_zone", "Europe/Berlin"},
      {"weekly",
       {"mon-fri 08:00-18:00", "sat 10:00-14:00", "fri 22:00-02:00", "sat-mon,wed 10:00-24:00"}},
      {"closed", {"2026-12-25", "2026-12-26"}}};
  CHECK(valid(example));
  CHECK_NOTHROW(ServiceHours::from_json(example));
  CHECK_FALSE(valid({{"weekly", {"mon-fri 08:00-18:00"}}}));
  CHECK_FALSE(valid({{"time_zone", "UTC"}, {"weekly", {"mon-fri 8:00-18:00"}}}));
  CHECK_FALSE(valid({{"time_zone", "UTC"}, {"weekly", {"mon-fri 08:00-24:30"}}}));
  CHECK_FALSE(
      valid({{"time_zone", "UTC"}, {"weekly", {"mon-fri 08:00-18:00"}}, {"closed", {"2026-1-5"}}}));
  CHECK_FALSE(valid({{"time_zone", "UTC"}, {"weekly", {"mon-fri 08:00-18:00"}}, {"extra", 1}}));
}
