// The SMS plugin's published config schema says what its config parser enforces: the gateway
// refuses a config by the schema before create() runs, so a schema looser than the parser only
// delays the error, and a stricter one refuses configs the plugin would run with.
#include <omnigate/testing/fake_host.hpp>
#include "plugin_host/config_schema.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace omnigate::testing;
using nlohmann::json;

namespace {

json base_config() {
  return {{"account_sid", "AC0123456789abcdef"},
          {"auth_token", "s3cr3t-auth-token-0123456789abcd"},
          {"public_base_url", "https://gw.example.com"}};
}

json with(const std::string& key, json value) {
  auto c = base_config();
  c[key] = std::move(value);
  return c;
}

json without(const std::string& key) {
  auto c = base_config();
  c.erase(key);
  return c;
}

omnigate::plugin_host::ConfigSchema published_schema(const og_plugin_api& api) {
  std::string error;
  auto schema = omnigate::plugin_host::ConfigSchema::compile(api.config_schema_json, error);
  INFO(error);
  REQUIRE(schema);
  return *schema;
}

}  // namespace

TEST_CASE("sms plugin: its config schema accepts what its parser accepts") {
  const std::vector<json> accepted{
      base_config(),
      with("from_number", ""),
      with("from_number", "+14155550100"),
      with("api_base", "http://127.0.0.1:9999/"),
      with("status_callback", false),
      with("skills", json::array()),
      with("skills", json::array({{{"skill", "sms"}}, {{"skill", "vip"}, {"min_level", 5}}})),
      with("default_priority", 1),
      with("default_priority", 4),
      with("max_body_bytes", 1),
      with("max_body_bytes", 1048576),
      with("max_media", 0),
      with("timeout_ms", 100),
      with("reconcile_after_ms", 0),
      with("reconcile_after_ms", 100),
      with("reconcile_max_age_ms", 7776000000LL),
  };
  for (const auto& config : accepted) {
    INFO(config.dump());
    FakeHost host;
    LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", config.dump());
    REQUIRE(plugin.create_status() == OG_OK);
    CHECK(published_schema(plugin.api()).violations(config.dump()).empty());
  }
}

TEST_CASE("sms plugin: its config schema refuses what its parser refuses, naming the same key") {
  struct Case {
    json config;
    std::string key;
  };
  const std::vector<Case> refused{
      {without("account_sid"), "account_sid"},
      {without("auth_token"), "auth_token"},
      {without("public_base_url"), "public_base_url"},
      {with("bogus_key", 1), "bogus_key"},
      {with("account_sid", ""), "account_sid"},
      {with("account_sid", "AC/../x"), "account_sid"},
      {with("auth_token", ""), "auth_token"},
      {with("api_base", "ftp://x"), "api_base"},
      {with("public_base_url", "https://gw.example.com/?x=1"), "public_base_url"},
      {with("public_base_url", "https://gw example.com"), "public_base_url"},
      {with("from_number", "0800 123"), "from_number"},
      {with("from_number", "+0123"), "from_number"},
      {with("validate_signature", "yes"), "validate_signature"},
      {with("skills", "sms"), "skills"},
      {with("skills", json::array({{{"min_level", 2}}})), "skills[0].skill"},
      {with("skills", json::array({{{"skill", ""}}})), "skills[0].skill"},
      {with("skills", json::array({{{"skill", "sms"}, {"min_level", 9}}})), "skills[0].min_level"},
      {with("skills", json::array({{{"skill", "sms"}, {"level", 2}}})), "skills[0].level"},
      {with("default_priority", 0), "default_priority"},
      {with("default_priority", 5), "default_priority"},
      {with("max_body_bytes", 0), "max_body_bytes"},
      {with("max_media", 101), "max_media"},
      {with("timeout_ms", 99), "timeout_ms"},
      {with("timeout_ms", 1000.5), "timeout_ms"},
      {with("reconcile_after_ms", "ten"), "reconcile_after_ms"},
      {with("reconcile_after_ms", -1), "reconcile_after_ms"},
      {with("reconcile_after_ms", 50), "reconcile_after_ms"},
      {with("reconcile_after_ms", 604800001), "reconcile_after_ms"},
      {with("reconcile_max_age_ms", 999), "reconcile_max_age_ms"},
  };
  for (const auto& c : refused) {
    INFO(c.config.dump());
    FakeHost host;
    LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", c.config.dump());
    CHECK(plugin.create_status() == OG_CONFIG);
    CHECK(plugin.create_error().starts_with(c.key + ":"));
    const auto violations = published_schema(plugin.api()).violations(c.config.dump());
    REQUIRE(violations.size() == 1);
    CHECK(violations[0].starts_with("config key \"" + c.key + "\""));
  }
}

TEST_CASE("sms plugin: the one rule its schema cannot say is left to its parser") {
  // JSON Schema cannot compare two values: reconcile_max_age_ms > reconcile_after_ms.
  const auto config = with("reconcile_after_ms", 600000);
  auto c = config;
  c["reconcile_max_age_ms"] = 600000;
  FakeHost host;
  LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", c.dump());
  CHECK(published_schema(plugin.api()).violations(c.dump()).empty());
  CHECK(plugin.create_status() == OG_CONFIG);
  CHECK(plugin.create_error().starts_with("reconcile_max_age_ms:"));
}
