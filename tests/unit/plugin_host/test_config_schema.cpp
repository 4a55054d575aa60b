// Plugin config schemas: what an operator reads when an instance's config breaks its plugin's
// schema (the key, as a path, and what was expected), and which schemas a plugin may declare.
#include "plugin_host/config_schema.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using omnigate::plugin_host::ConfigSchema;

namespace {

// Shaped like a real plugin's: required keys, bounds, a nested array of tables, a nested table,
// a secret.
constexpr const char* kSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "required": ["account_sid", "auth_token"],
  "properties": {
    "account_sid": {"type": "string", "pattern": "^[A-Za-z0-9]+$"},
    "auth_token": {"type": "string", "minLength": 8, "writeOnly": true},
    "reconcile_after_ms": {"type": "integer", "minimum": 0, "maximum": 604800000},
    "ratio": {"type": "number"},
    "mode": {"enum": ["fast", "safe"]},
    "skills": {"type": "array",
               "items": {"type": "object", "additionalProperties": false, "required": ["skill"],
                         "properties": {"skill": {"type": "string", "minLength": 1},
                                        "min_level": {"type": "integer", "minimum": 1, "maximum": 5}}}},
    "limits": {"type": "object", "additionalProperties": false,
               "properties": {"burst": {"$ref": "#/definitions/count"}}}
  },
  "definitions": {"count": {"type": "integer", "minimum": 1}}
})";

ConfigSchema compiled(const std::string& text = kSchema) {
  std::string error;
  auto schema = ConfigSchema::compile(text, error);
  INFO(error);
  REQUIRE(schema);
  return *schema;
}

std::string refusal(const std::string& text) {
  std::string error;
  const auto schema = ConfigSchema::compile(text, error);
  CHECK_FALSE(schema);
  return error;
}

using Violations = std::vector<std::string>;

}  // namespace

TEST_CASE("config schema: a config that matches has no violations") {
  const auto schema = compiled();
  CHECK(schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token"})").empty());
  CHECK(schema
            .violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                          "reconcile_after_ms": 0, "mode": "safe",
                          "skills": [{"skill": "sms", "min_level": 2}, {"skill": "vip"}],
                          "limits": {"burst": 10}})")
            .empty());
}

TEST_CASE("config schema: an unknown key is named") {
  const auto schema = compiled();
  CHECK(schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                              "bogus_key": 1})") ==
        Violations{R"(config key "bogus_key" is not allowed by the plugin's schema)"});
}

TEST_CASE("config schema: every unknown key of a table is named, not only the first") {
  const auto schema = compiled();
  auto violations = schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                              "bogus_key": 1, "another": 2, "limits": {"burts": 3}})");
  std::sort(violations.begin(), violations.end());
  CHECK(violations ==
        Violations{R"(config key "another" is not allowed by the plugin's schema)",
                   R"(config key "bogus_key" is not allowed by the plugin's schema)",
                   R"(config key "limits.burts" is not allowed by the plugin's schema)"});
}

TEST_CASE("config schema: a value of the wrong type says what was expected and what came") {
  const auto schema = compiled();
  CHECK(
      schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                              "reconcile_after_ms": "ten"})") ==
      Violations{
          R"(config key "reconcile_after_ms": expected integer >= 0 and <= 604800000, got "ten")"});
  CHECK(schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                              "reconcile_after_ms": -5})") ==
        Violations{
            R"(config key "reconcile_after_ms": expected integer >= 0 and <= 604800000, got -5)"});
  CHECK(schema.violations(R"({"account_sid": "AC1", "auth_token": "secret-token",
                              "mode": "slow"})") ==
        Violations{R"(config key "mode": expected one of "fast", "safe", got "slow")"});
}

TEST_CASE("config schema: a missing required key is named") {
  const auto schema = compiled();
  CHECK(schema.violations(R"({"account_sid": "AC1"})") ==
        Violations{R"(config key "auth_token" is required by the plugin's schema)"});
}

TEST_CASE("config schema: keys inside arrays and nested tables are named by their path") {
  const auto schema = compiled();
  const std::string base = R"("account_sid": "AC1", "auth_token": "secret-token", )";
  CHECK(schema.violations("{" + base +
                          R"("skills": [{"skill": "sms"}, {"skill": "vip", "min_level": 9}]})") ==
        Violations{R"(config key "skills[1].min_level": expected integer >= 1 and <= 5, got 9)"});
  CHECK(schema.violations("{" + base + R"("skills": [{"skill": "sms", "level": 2}]})") ==
        Violations{R"(config key "skills[0].level" is not allowed by the plugin's schema)"});
  CHECK(schema.violations("{" + base + R"("skills": [{"min_level": 2}]})") ==
        Violations{R"(config key "skills[0].skill" is required by the plugin's schema)"});
  CHECK(schema.violations("{" + base + R"("limits": {"burst": 0}})") ==
        Violations{R"(config key "limits.burst": expected integer >= 1, got 0)"});
}

TEST_CASE("config schema: every broken key is reported once, enclosing tables are not") {
  const auto schema = compiled();
  const auto violations = schema.violations(
      R"({"account_sid": "AC/1", "auth_token": "secret-token", "bogus_key": true,
          "skills": [{"skill": ""}]})");
  CHECK(violations.size() == 3);
  CHECK_THAT(violations.at(0) + violations.at(1) + violations.at(2),
             Contains(R"("account_sid": expected string matching ^[A-Za-z0-9]+$, got "AC/1")") &&
                 Contains(R"("bogus_key" is not allowed)") &&
                 Contains(R"("skills[0].skill": expected string of at least 1 character, got "")"));
}

TEST_CASE("config schema: TOML integers are integers, TOML floats are numbers") {
  // The config reaches the host as JSON converted from TOML: `x = 10` is a JSON integer,
  // `x = 10.0` or `x = 10.5` a JSON number with a fraction.
  const auto schema = compiled();
  const std::string base = R"("account_sid": "AC1", "auth_token": "secret-token", )";
  CHECK(schema.violations("{" + base + R"("reconcile_after_ms": 10})").empty());
  CHECK(schema.violations("{" + base + R"("ratio": 10})").empty());
  CHECK(schema.violations("{" + base + R"("ratio": 0.5})").empty());
  CHECK(
      schema.violations("{" + base + R"("reconcile_after_ms": 10.5})") ==
      Violations{
          R"(config key "reconcile_after_ms": expected integer >= 0 and <= 604800000, got 10.5)"});
}

TEST_CASE("config schema: the value of a writeOnly key is never quoted") {
  const auto schema = compiled();
  const auto violations = schema.violations(R"({"account_sid": "AC1", "auth_token": "hunter2"})");
  REQUIRE(violations.size() == 1);
  CHECK_THAT(violations[0], Contains(R"(config key "auth_token": expected string)"));
  CHECK_THAT(violations[0], Contains("(not shown)"));
  CHECK_THAT(violations[0], !Contains("hunter2"));
}

TEST_CASE("config schema: an empty config is an empty object") {
  CHECK(compiled(R"({"type": "object"})").violations("").empty());
  CHECK(compiled().violations("") ==
        Violations{R"(config key "account_sid" is required by the plugin's schema)",
                   R"(config key "auth_token" is required by the plugin's schema)"});
}

TEST_CASE("config schema: a schema the host cannot apply is refused with the reason") {
  CHECK(refusal("[1, 2") == "is not a JSON object");
  CHECK(refusal("[]") == "is not a JSON object");
  CHECK_THAT(refusal(R"({"type": "objekt"})"), Contains("is not a JSON Schema the host can apply"));
  CHECK_THAT(refusal(R"({"properties": 5})"), Contains("is not a JSON Schema the host can apply"));
  CHECK_THAT(refusal(R"({"$schema": "https://json-schema.org/draft/2020-12/schema"})"),
             Contains("draft/2020-12") && Contains("draft-07"));
  // A remote $ref would make start-up depend on the network: never fetched.
  CHECK_THAT(refusal(R"({"$ref": "https://schemas.example.com/sms.json"})"),
             Contains("is not a JSON Schema the host can apply"));
  // Both spellings of the dialects valijson implements are accepted.
  compiled(R"({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"})");
  compiled(R"({"$schema": "https://json-schema.org/draft-07/schema", "type": "object"})");
  compiled(R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"})");
}

TEST_CASE("config schema: a pattern std::regex cannot compile refuses the config, not the host") {
  const auto schema = compiled(R"({"properties": {"x": {"type": "string", "pattern": "(["}}})");
  const auto violations = schema.violations(R"({"x": "a"})");
  REQUIRE(violations.size() == 1);
  CHECK_THAT(violations[0], Contains("the plugin's config schema cannot be applied"));
}
