// First-response targets per channel kind (sla.P<n>.first_response_by_kind): the handbook's P1
// 15 minutes is the phone's; other kinds keep the priority's first_response.
#include <catch2/catch.hpp>
#include <omnigate/routing/engine.hpp>
#include <omnigate/routing/policy.hpp>

#include "fixtures.hpp"

using namespace omnigate::routing;
using routing_test::conv;
using routing_test::kMonday;
using routing_test::plain_policy;

TEST_CASE("a first-response target named for a kind applies to that kind only") {
  const Policy p = parse_policy_json(R"({"sla": {"P1": {"first_response": "1h",
                                        "first_response_by_kind": {"voice": "15m"}}}})");
  const auto voice = compute_sla_deadlines(p, Tier::A, 1, false, kMonday, ChannelKind::voice);
  const auto email = compute_sla_deadlines(p, Tier::A, 1, false, kMonday, ChannelKind::email);
  CHECK(voice.first_response_due == kMonday + 15 * kMinuteMs);
  CHECK(email.first_response_due == kMonday + kHourMs);
  CHECK(voice.resolution_due == email.resolution_due);  // resolution is per priority only
  // P2 names no kinds: its first_response for every kind.
  CHECK(
      compute_sla_deadlines(p, Tier::A, 2, false, kMonday, ChannelKind::voice).first_response_due ==
      kMonday + 30 * kMinuteMs);
  // The dedicated group's own target wins over the kind's.
  CHECK(
      compute_sla_deadlines(p, Tier::A, 1, true, kMonday, ChannelKind::email).first_response_due ==
      kMonday + 15 * kMinuteMs);
}

TEST_CASE("the engine's deadlines follow the conversation's kind") {
  Policy p = plain_policy();
  p.sla.by_priority[0].first_response = {kHourMs, 0};
  p.sla.by_priority[0].first_response_by_kind[ChannelKind::voice] = {15 * kMinuteMs, 0};
  Engine e(p);
  REQUIRE(e.enqueue(conv(1, 1, Tier::C, kMonday, ChannelKind::voice), kMonday));
  REQUIRE(e.enqueue(conv(2, 1, Tier::C, kMonday, ChannelKind::email), kMonday));
  CHECK(e.sla_deadlines(1)->first_response_due == kMonday + 15 * kMinuteMs);
  CHECK(e.sla_deadlines(2)->first_response_due == kMonday + kHourMs);
}

TEST_CASE("first_response_by_kind errors name the key") {
  const auto error_of = [](const char* text) -> std::string {
    try {
      parse_policy_json(text);
    } catch (const PolicyError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(error_of(R"({"sla": {"P1": {"first_response_by_kind": {"voice": "15x"}}}})"),
             Catch::StartsWith("routing.sla.P1.first_response_by_kind.voice: unknown unit"));
  CHECK_THAT(error_of(R"({"sla": {"P1": {"first_response_by_kind": "15m"}}})"),
             Catch::StartsWith("routing.sla.P1.first_response_by_kind: must be a table"));
}
