// [[routing.team_rules]]: the home team a conversation gets from its channel instance, skills or
// customer's attributes, and that the dispatcher routes it to that team only.
#include "routing_specs/team_rules.hpp"
#include "api_fixture.hpp"
#include "config/config.hpp"

#include <omnigate/routing/policy.hpp>

using namespace omnigate;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

std::vector<routing::TeamRule> rules_of(const std::string& policy_json) {
  return routing::parse_policy_json(policy_json).team_rules;
}

std::string team_for(const std::vector<routing::TeamRule>& rules, const std::string& instance,
                     const std::vector<store::SkillLevel>& skills, const std::string& attributes) {
  return routing_specs::home_team_by_rule(rules, {instance, skills, attributes});
}

}  // namespace

TEST_CASE("team rules match instance, skill or customer attribute; the first match wins",
          "[team_rules]") {
  const auto rules = rules_of(R"({"team_rules": [
      {"team": "energy", "when": {"customer_attribute": {"key": "industry", "value": "energy"}}},
      {"team": "big", "when": {"customer_attribute": {"key": "employees", "value": 5000}}},
      {"team": "billing", "when": {"skill": "billing"}},
      {"team": "vip", "when": {"channel_instance": "sms-vip"}}]})");
  const std::vector<store::SkillLevel> none, billing = {{"billing", 1}, {"sms", 3}};
  CHECK(team_for(rules, "sms-vip", none, "{}") == "vip");
  CHECK(team_for(rules, "sms", none, "{}").empty());
  CHECK(team_for(rules, "sms-vip", billing, "{}") == "billing");  // earlier rule
  CHECK(team_for(rules, "sms-vip", billing, R"({"industry": "energy"})") == "energy");
  CHECK(team_for(rules, "sms", none, R"({"industry": "retail"})").empty());
  CHECK(team_for(rules, "sms", none, R"({"employees": 5000})") == "big");  // numbers as JSON
  CHECK(team_for(rules, "sms", none, R"({"employees": "5000"})") == "big");
  CHECK(team_for(rules, "sms", none, "not json").empty());
  CHECK(team_for({}, "sms-vip", billing, "{}").empty());
}

TEST_CASE("team rules as the config file writes them", "[team_rules]") {
  const auto config = config::load_config_from_string(R"(
[[routing.team_rules]]
team = "vip"
when = { channel_instance = "sms" }
[[routing.team_rules]]
team = "billing"
when = { skill = "billing" }
[[routing.team_rules]]
team = "energy"
when = { customer_attribute = { key = "industry", value = "energy" } }
)",
                                                      "/tmp");
  const auto rules = rules_of(config.routing_policy_json);
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].team == "vip");
  CHECK(rules[0].channel_instance == "sms");
  CHECK(rules[1].skill == "billing");
  CHECK(rules[2].attribute_key == "industry");
  CHECK(rules[2].attribute_value == "energy");
}

TEST_CASE("team rule errors name the key", "[team_rules]") {
  const auto error_of = [](const char* text) -> std::string {
    try {
      routing::parse_policy_json(text);
    } catch (const routing::PolicyError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_of(R"({"team_rules": [{"when": {"skill": "x"}}]})") ==
        "routing.team_rules[0].team: is required");
  CHECK(error_of(R"({"team_rules": [{"team": "vip"}]})") ==
        "routing.team_rules[0].when: is required");
  CHECK(error_of(R"({"team_rules": [{"team": "vip", "when": {"skill": "x",
                                      "channel_instance": "sms"}}]})") ==
        "routing.team_rules[0].when: needs exactly one of channel_instance, skill, "
        "customer_attribute");
  CHECK(error_of(R"({"team_rules": [{"team": "vip", "when": {"channel": "sms"}}]})") ==
        "routing.team_rules[0].when.channel: unknown key");
  CHECK(error_of(R"({"team_rules": [{"team": "vip", "when": {"customer_attribute":
                                      {"key": "industry"}}}]})") ==
        "routing.team_rules[0].when.customer_attribute: needs key and value");
  CHECK(error_of(R"({"team_rules": {"team": "vip"}})") ==
        "routing.team_rules: must be a list of {team, when} rules");
}

TEST_CASE("a conversation a team rule sends to a team is not offered to another team's agent",
          "[team_rules]") {
  // alice (team support) has sms 3 and free sms capacity; the rule makes SMS the vip team's.
  Api api(store::Presence::online, {{"sms", 5}, {"webchat", 3}, {"email", 8}},
          R"({"team_rules": [{"team": "vip", "when": {"channel_instance": "sms"}}]})");
  const auto sms = api.inbound("sms", "+14155550401");
  const auto chat = api.inbound("webchat", "visitor-4");  // no rule: any team
  REQUIRE(eventually([&] { return api.assigned(chat) == "alice"; }));
  api.settle(sms);
  CHECK_FALSE(api.assigned(sms).has_value());
  const auto explained = api.call("GET", api.path(sms, "/explain"), "sue");
  CHECK_THAT(explained.body["explanation"].get<std::string>(),
             Catch::Contains("no agent online in vip"));

  auto vic = omnigate::testing::agent("vic", {{"sms", 1}}, {{"sms", 2}}, store::Presence::online);
  vic.team = "vip";
  api.upsert(vic);
  api.dispatcher->agent_changed(vic);
  REQUIRE(eventually([&] { return api.assigned(sms) == "vic"; }));
}
