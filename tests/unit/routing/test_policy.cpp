#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <omnigate/routing/policy.hpp>
#include <set>

using namespace omnigate::routing;

TEST_CASE("policy defaults carry the handbook's P1-P4 table and tier hours") {
  const Policy p = Policy::defaults();
  CHECK(p.sla.by_priority[0].first_response.ms == 15 * kMinuteMs);
  CHECK(p.sla.by_priority[0].resolution.ms == 2 * kHourMs);
  CHECK(p.sla.by_priority[0].resolution_max.ms == 4 * kHourMs);
  CHECK(p.sla.by_priority[1].first_response.ms == 30 * kMinuteMs);
  CHECK(p.sla.by_priority[2].resolution.working_days == 3);
  CHECK(p.sla.dedicated_first_response[1].ms == 15 * kMinuteMs);
  CHECK(p.sla.dedicated_first_response[3].ms == 2 * kHourMs);
  CHECK(p.calendar_for(Tier::A).always_open());
  CHECK_FALSE(p.calendar_for(Tier::B).always_open());
}

TEST_CASE("a full policy parses from the JSON form of the [routing] table") {
  const Policy p = parse_policy_json(R"({
    "selection": "most_skilled", "reservation_timeout_s": 20, "manual_pick": false,
    "voice_blocks_chat": false,
    "sla": {"P1": {"first_response": "10m", "resolution": 3600, "resolution_max": "3h"},
            "P3": {"resolution": "2wd", "dedicated_first_response": "1h"},
            "warn_before": "2m",
            "pause_while_waiting_customer": false},
    "calendars": {"office": {"time_zone": "Europe/Berlin",
                             "mon": ["08:00-12:00", "13:00-17:00"], "holidays": ["2026-12-25"]}},
    "tiers": {"B": {"calendar": "office", "named_manager": true, "preferred_wait": "1m"}},
    "bullseye": [{"after": "30s", "level_drop": 1}, {"after": "90s", "level_drop": 2}],
    "teams": {"support": {"overflow_to": ["sales"], "overflow_after": "5m"}},
    "ageing": {"step": "5m", "max_bands": 8},
    "sticky": {"enabled": true, "wait": 45},
    "capacity": {"webchat": 2, "total": 6}
  })");
  CHECK(p.selection == Selection::most_skilled);
  CHECK(p.reservation_timeout_ms == 20000);
  CHECK_FALSE(p.manual_pick);
  CHECK(p.sla.by_priority[0].first_response.ms == 10 * kMinuteMs);
  CHECK(p.sla.by_priority[0].resolution.ms == kHourMs);
  CHECK(p.sla.by_priority[2].resolution.working_days == 2);
  CHECK(p.sla.dedicated_first_response[2].ms == kHourMs);
  CHECK(p.calendar_for(Tier::B).name() == "office");
  CHECK(p.calendar_for(Tier::B).working_day_ms() == 8 * kHourMs);
  CHECK(p.bullseye.size() == 2);
  CHECK(p.teams.at("support").overflow_to == std::vector<std::string>{"sales"});
  CHECK(p.ageing.step_ms == 5 * kMinuteMs);
  CHECK(p.sticky.wait_ms == 45000);
  CHECK(p.capacity.per_kind.at(ChannelKind::webchat) == 2);
  CHECK(p.capacity.total == 6);
}

TEST_CASE("policy errors name the offending key") {
  const auto error_of = [](const char* text) -> std::string {
    try {
      parse_policy_json(text);
    } catch (const PolicyError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(error_of(R"({"sla": {"P2": {"resolutoin": "4h"}}})"),
             Catch::StartsWith("routing.sla.P2.resolutoin: unknown key"));
  // Complaints escalate through the gateway's complaint ladder, not the routing policy.
  CHECK_THAT(error_of(R"({"sla": {"complaint_escalation": ["1h"]}})"),
             Catch::StartsWith("routing.sla.complaint_escalation: unknown key"));
  CHECK_THAT(error_of(R"({"sla": {"P1": {"first_response": "15x"}}})"),
             Catch::StartsWith("routing.sla.P1.first_response: unknown unit"));
  CHECK_THAT(error_of(R"({"tiers": {"B": {"calendar": "nope"}}})"),
             Catch::StartsWith("routing.tiers.B.calendar: no calendar named"));
  CHECK_THAT(error_of(R"({"calendars": {"x": {"mon": ["17:00-09:00"]}}})"),
             Catch::StartsWith("routing.calendars.x.mon[0]: interval ends before it starts"));
  CHECK_THAT(error_of(R"({"calendars": {"x": {"time_zone": "UTC+5"}}})"),
             Catch::StartsWith("routing.calendars.x.time_zone: time zone \"UTC+5\" is not in the "
                               "tz database"));
  CHECK_THAT(error_of(R"({"calendars": {"x": {"holidays": ["2026-02-30"]}}})"),
             Catch::StartsWith("routing.calendars.x.holidays[0]"));
  CHECK_THAT(error_of(R"({"selection": "random"})"), Catch::StartsWith("routing.selection:"));
  CHECK_THAT(error_of(R"({"reservation_timeout_s": -1})"),
             Catch::StartsWith("routing.reservation_timeout_s: must be between"));
  CHECK_THAT(error_of(R"({"bullseye": [{"after": "2m"}, {"after": "1m"}]})"),
             Catch::StartsWith("routing.bullseye[1].after"));
  CHECK_THAT(error_of(R"({"teams": {"a": {"overflow_to": ["a"]}}})"),
             Catch::StartsWith("routing.teams.a.overflow_to"));
  CHECK_THAT(error_of("{not json"), Catch::StartsWith("routing: not valid JSON"));
  // A number too large for a double is nlohmann's out_of_range, not a parse_error (found by
  // fuzz_routing_policy): still a policy error, never an exception that ends the gateway.
  CHECK_THAT(error_of(R"({"bullseye": [1e999999]})"), Catch::StartsWith("routing: not valid JSON"));
  CHECK_THAT(error_of(R"({"tiers": {"D": {}}})"),
             Catch::StartsWith("routing.tiers.D: unknown key"));
}

TEST_CASE("capacity keys are any channel kind, with a default for kinds nobody names") {
  const Policy defaults = Policy::defaults();
  CHECK(defaults.capacity.for_kind(ChannelKind("echo")) == 1);
  CHECK(defaults.capacity.for_kind(ChannelKind::email) == 8);
  CHECK(defaults.is_live(ChannelKind::voice));
  CHECK_FALSE(defaults.is_live(ChannelKind("echo")));

  const Policy p = parse_policy_json(R"({
    "capacity": {"echo": 4, "whatsapp": 0, "default": 2, "total": 12},
    "live_kinds": ["voice", "video"]
  })");
  CHECK(p.capacity.for_kind(ChannelKind("echo")) == 4);
  CHECK(p.capacity.for_kind(ChannelKind("whatsapp")) == 0);
  CHECK(p.capacity.for_kind(ChannelKind("fax")) == 2);
  CHECK(p.capacity.for_kind(ChannelKind::sms) == 5);  // a default kept
  CHECK(p.capacity.total == 12);
  CHECK(p.live_kinds == std::set<ChannelKind>{ChannelKind::voice, ChannelKind("video")});

  const auto error_of = [](const char* text) -> std::string {
    try {
      parse_policy_json(text);
    } catch (const PolicyError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(error_of(R"({"capacity": {"default": -1}})"),
             Catch::StartsWith("routing.capacity.default: must be between 0 and 1000"));
  CHECK_THAT(error_of(R"({"capacity": {"echo": "many"}})"),
             Catch::StartsWith("routing.capacity.echo: must be an integer"));
  CHECK_THAT(error_of(R"({"live_kinds": "voice"})"),
             Catch::StartsWith("routing.live_kinds: must be a list"));
  CHECK_THAT(error_of(R"({"live_kinds": [""]})"),
             Catch::StartsWith("routing.live_kinds[0]: a channel kind needs a name"));
}

TEST_CASE("wrap-up is seconds per channel kind, voice 30 s unless the policy says otherwise") {
  CHECK(Policy::defaults().wrap_up_for(ChannelKind::voice) == 30 * kSecondMs);
  CHECK(Policy::defaults().wrap_up_for(ChannelKind::email) == 0);
  const Policy p = parse_policy_json(R"({"wrap_up": {"email": 15, "echo": 0}})");
  CHECK(p.wrap_up_for(ChannelKind::email) == 15 * kSecondMs);
  CHECK(p.wrap_up_for(ChannelKind::voice) == 30 * kSecondMs);  // a default kept
  CHECK(parse_policy_json(R"({"wrap_up": {"voice": 0}})").wrap_up_for(ChannelKind::voice) == 0);
  try {
    parse_policy_json(R"({"wrap_up": {"voice": 4000}})");
    FAIL("accepted a wrap-up over an hour");
  } catch (const PolicyError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("routing.wrap_up.voice: must be between 0 and 3600"));
  }
}
