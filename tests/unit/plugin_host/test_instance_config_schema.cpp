// PluginHost::start() applies each plugin's config schema: an instance whose config breaks it
// does not start (no routes, state "failed" with the key named); the other instances run.
#include "plugin_host/plugin_host.hpp"

#include "host_test_env.hpp"

#include <catch2/catch.hpp>

#include <string>

using Catch::Matchers::Contains;

namespace {

omnigate::config::PluginInstanceConfig instance(std::string name, std::string file,
                                                std::string config_json) {
  omnigate::config::PluginInstanceConfig c;
  c.instance = std::move(name);
  c.file = std::move(file);
  c.config_json = std::move(config_json);
  return c;
}

omnigate::PluginHost::InstanceInfo info_of(const omnigate::PluginHost& host,
                                           const std::string& name) {
  for (const auto& info : host.instances()) {
    if (info.instance == name) return info;
  }
  FAIL("no instance " << name);
  return {};
}

}  // namespace

TEST_CASE("an instance whose config breaks its plugin's schema does not start; others do") {
  omnigate::test::HostTestEnv env;
  omnigate::PluginHost host(*env.executor, *env.store, env.metrics, {});
  // The echo example accepts no keys at all (and would ignore them if it were created).
  host.start({instance("echo_bogus", OG_ECHO_PLUGIN, R"({"bogus_key": 1})"),
              instance("echo", OG_ECHO_PLUGIN, "{}")});
  omnigate::http::Router router;
  host.register_routes(router);

  const auto bogus = info_of(host, "echo_bogus");
  CHECK(bogus.state == "failed");
  CHECK_THAT(bogus.reason,
             Contains(R"(config key "bogus_key" is not allowed by the plugin's schema)"));
  CHECK_THAT(bogus.reason, Contains(OG_ECHO_PLUGIN));
  const auto refused = omnigate::test::call_route(router, "POST", "/channels/echo_bogus/messages",
                                                  "hi", {{"X-Echo-From", "visitor-1"}});
  REQUIRE(refused);
  CHECK(refused->status == 404);

  CHECK(info_of(host, "echo").state == "running");
  const auto stored = omnigate::test::call_route(router, "POST", "/channels/echo/messages", "hi",
                                                 {{"X-Echo-From", "visitor-1"}});
  REQUIRE(stored);
  CHECK(stored->status == 200);
}

TEST_CASE("the sms plugin's schema names the broken key before the plugin sees the config") {
  omnigate::test::HostTestEnv env;
  omnigate::PluginHost host(*env.executor, *env.store, env.metrics, {});
  const std::string base =
      R"("account_sid": "AC123", "auth_token": "token-123", "public_base_url": "https://gw.example.com")";
  host.start(
      {instance("wrong_type", OG_SMS_PLUGIN, "{" + base + R"(, "reconcile_after_ms": "ten"})"),
       instance("nested", OG_SMS_PLUGIN,
                "{" + base + R"(, "skills": [{"skill": "sms", "min_level": 9}]})"),
       instance("missing", OG_SMS_PLUGIN, R"({"account_sid": "AC123"})"),
       instance("sms", OG_SMS_PLUGIN, "{" + base + "}")});

  const auto wrong_type = info_of(host, "wrong_type");
  CHECK(wrong_type.state == "failed");
  CHECK_THAT(wrong_type.reason, Contains(R"(config key "reconcile_after_ms": expected integer)") &&
                                    Contains(R"(got "ten")"));
  const auto nested = info_of(host, "nested");
  CHECK(nested.state == "failed");
  CHECK_THAT(
      nested.reason,
      Contains(R"(config key "skills[0].min_level": expected integer >= 1 and <= 5, got 9)"));
  const auto missing = info_of(host, "missing");
  CHECK(missing.state == "failed");
  CHECK_THAT(missing.reason,
             Contains(R"(config key "auth_token" is required by the plugin's schema)") &&
                 Contains(R"(config key "public_base_url" is required)"));
  // The token is a secret: never in a reason, which goes to the log.
  CHECK_THAT(wrong_type.reason + nested.reason + missing.reason, !Contains("token-123"));

  CHECK(info_of(host, "sms").state == "running");
}
