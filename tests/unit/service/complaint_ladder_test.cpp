// The complaint ladder's rules, each at the instants that matter (docs/service-processes.md).
#include "service/complaint_ladder.hpp"
#include "service/complaint_json.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace omnigate::service;

namespace {

constexpr UnixMs kMinute = 60'000;
constexpr UnixMs kHour = 60 * kMinute;
constexpr UnixMs kT0 = 1'764'576'000'000;  // Mon 2025-12-01 08:00 UTC

const LadderWindows kWindows{};
const DeadlineFn kWallClock = [](UnixMs from, std::int64_t ms) { return from + ms; };
// An office calendar stand-in: windows count only 08:00-16:00 of each day after kT0.
const DeadlineFn kEightHourDays = [](UnixMs from, std::int64_t ms) {
  const UnixMs day = 24 * kHour;
  UnixMs t = from;
  while (ms > 0) {
    const UnixMs day_start = kT0 + ((t - kT0) / day) * day;
    const UnixMs close = day_start + 8 * kHour;
    if (t >= close) {
      t = day_start + day;
      continue;
    }
    const UnixMs take = std::min<UnixMs>(ms, close - t);
    t += take;
    ms -= take;
  }
  return t;
};
const Resolver kGroup = [](const std::string& role) {
  return role == "account_manager" ? std::string("agent:amy") : "role:" + role;
};

Complaint filed(bool major, std::vector<Step>& steps, const DeadlineFn& deadline = kWallClock) {
  Filing f;
  f.conversation_id = 7;
  f.customer_id = 3;
  f.matter = "invoice wrong twice";
  f.major = major;
  f.actor = "user:alice";
  return file_complaint(f, kT0, kWindows, deadline, kGroup, steps);
}

std::vector<std::string> kinds(const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.kind + "@" + std::to_string(s.level));
  return out;
}

}  // namespace

TEST_CASE("filing notifies the account manager at once with a one-hour contact window") {
  std::vector<Step> steps;
  auto c = filed(false, steps);
  CHECK(kinds(steps) == std::vector<std::string>{"filed@1", "level_started@1"});
  CHECK(steps[1].notify);
  CHECK(steps[1].notified == "agent:amy");
  CHECK(c.current().window_due == kT0 + kHour);
  CHECK_FALSE(c.close_due);
  CHECK(advance(c, kT0 + kHour - 1, kWindows, kWallClock, kGroup).empty());
}

TEST_CASE("contact within the hour is recorded in time and stops level 1 from lapsing") {
  std::vector<Step> steps;
  auto c = filed(false, steps);
  auto r = record_contact(c, "user:amy", kT0 + 40 * kMinute);
  REQUIRE(r.error.empty());
  CHECK(c.current().in_time);
  CHECK(advance(c, kT0 + 30 * kHour, kWindows, kWallClock, kGroup).empty());
  CHECK_FALSE(record_contact(c, "user:amy", kT0 + 41 * kMinute).error.empty());
}

TEST_CASE("a missed contact window escalates to the service director from the window's end") {
  std::vector<Step> steps;
  auto c = filed(false, steps);
  // A tick that comes late settles each lapse at its own time: 1 h, then 1 h + 4 h.
  auto s = advance(c, kT0 + 6 * kHour, kWindows, kWallClock, kGroup);
  CHECK(kinds(s) == std::vector<std::string>{"window_missed@1", "level_started@2",
                                             "window_missed@2", "level_started@3"});
  CHECK(s[1].at == kT0 + kHour);
  CHECK(s[1].notified == "role:service_director");
  CHECK(c.level == 3);
  CHECK(c.levels[0].missed);
  CHECK(c.levels[2].started_at == kT0 + 5 * kHour);
  CHECK(c.levels[2].window_due == kT0 + 29 * kHour);
}

TEST_CASE("level 2: the commitment fixes a due time; a missed fix goes to level 3") {
  std::vector<Step> steps;
  auto c = filed(false, steps);
  REQUIRE(record_contact(c, "user:amy", kT0 + 10 * kMinute).error.empty());
  auto e = escalate(c, "user:sue", "still wrong", kT0 + 2 * kHour, kWindows, kWallClock, kGroup);
  REQUIRE(e.error.empty());
  CHECK(c.level == 2);
  CHECK(c.current().window_due == kT0 + 6 * kHour);
  CHECK_FALSE(record_commitment(c, "user:dan", "refund", kT0 + 27 * kHour, kT0 + 3 * kHour,
                                kWindows)
                  .error.empty());  // later than 24 h after level 2 began
  REQUIRE(record_commitment(c, "user:dan", "refund", std::nullopt, kT0 + 3 * kHour, kWindows)
              .error.empty());
  CHECK(*c.current().fix_due == kT0 + 26 * kHour);
  CHECK(advance(c, kT0 + 26 * kHour - 1, kWindows, kWallClock, kGroup).empty());
  auto s = advance(c, kT0 + 26 * kHour, kWindows, kWallClock, kGroup);
  CHECK(kinds(s) == std::vector<std::string>{"window_missed@2", "level_started@3"});
  CHECK(c.level == 3);
}

TEST_CASE("level 3 closes only with an executive and a report") {
  std::vector<Step> steps;
  auto c = filed(false, steps);
  advance(c, kT0 + 5 * kHour, kWindows, kWallClock, kGroup);
  REQUIRE(c.level == 3);
  CHECK_FALSE(close_complaint(c, "user:sue", "done", kT0 + 6 * kHour).error.empty());
  auto a = assign_executive(c, "user:sue", "person:Vera Exec", kT0 + 6 * kHour);
  REQUIRE(a.error.empty());
  CHECK(a.steps[0].notified == "person:Vera Exec");
  CHECK(c.current().in_time);
  CHECK_FALSE(close_complaint(c, "user:sue", "", kT0 + 7 * kHour).error.empty());
  REQUIRE(
      close_complaint(c, "user:sue", "root cause: tariff table", kT0 + 7 * kHour).error.empty());
  CHECK_FALSE(c.open);
  CHECK(advance(c, kT0 + 90 * kHour, kWindows, kWallClock, kGroup).empty());
  CHECK_FALSE(next_due(c));
}

TEST_CASE("a normal complaint's windows follow its calendar, a major one's the wall clock") {
  std::vector<Step> steps;
  auto normal = filed(false, steps, kEightHourDays);
  auto s = advance(normal, kT0 + 10 * kHour, kWindows, kEightHourDays, kGroup);
  // 1 h contact, then 4 h: level 3 at 5 h, its 24 h of office time take three days.
  REQUIRE(normal.level == 3);
  CHECK(normal.current().window_due == kT0 + 3 * 24 * kHour + 5 * kHour);
  steps.clear();
  auto major = filed(true, steps, kWallClock);
  CHECK(*major.close_due == kT0 + 24 * kHour);
}

TEST_CASE("a major complaint not closed within 24 h breaches and goes to level 3") {
  std::vector<Step> steps;
  auto c = filed(true, steps);
  REQUIRE(record_contact(c, "user:amy", kT0 + 5 * kMinute).error.empty());
  CHECK(next_due(c) == kT0 + 24 * kHour);
  auto s = advance(c, kT0 + 24 * kHour, kWindows, kWallClock, kGroup);
  CHECK(kinds(s) == std::vector<std::string>{"close_breached@1", "level_started@3"});
  CHECK(c.close_breached);
  CHECK(c.level == 3);
  CHECK(advance(c, kT0 + 25 * kHour, kWindows, kWallClock, kGroup).empty());
}

TEST_CASE("the record survives its JSON form") {
  std::vector<Step> steps;
  auto c = filed(true, steps);
  advance(c, kT0 + 2 * kHour, kWindows, kWallClock, kGroup);
  c.id = 12;
  const auto back = complaint_from_json(complaint_to_json(c));
  CHECK(complaint_to_json(back) == complaint_to_json(c));
  CHECK(back.levels.size() == 2);
}
