// Plugins broken on purpose, loaded the two ways the gateway loads plugins: inspect_plugin()
// (`omnigate plugins check FILE`) and PluginHost::start() (`omnigate serve`).
#include "plugin_host/plugin_host.hpp"

#include "host_test_env.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using omnigate::PluginHost;
using omnigate::SendOutcome;

namespace {

std::string fixture(const std::string& name) {
  return std::string(OG_ABI_FIXTURE_DIR) + "/libog_abi_" + name + ".so";
}

struct BrokenCase {
  std::string fixture;
  std::string reason;
};

const std::vector<BrokenCase>& broken_cases() {
  static const std::vector<BrokenCase> cases = {
      // The host's own version is its header's; the fixtures ask for one more (minor or major).
      {"wrong_major", "plugin ABI 3.0 has another major version than the host's 2." +
                          std::to_string(OG_ABI_MINOR)},
      {"newer_minor", "plugin needs ABI 2." + std::to_string(OG_ABI_MINOR + 1) +
                          " but the host has 2." + std::to_string(OG_ABI_MINOR)},
      {"missing_entry", "exported symbol og_plugin_entry not found"},
      {"null_entry", "og_plugin_entry() returned NULL"},
      {"small_struct", "is smaller than the ABI 2.0 size 120"},
      {"missing_callback", "required callback og_plugin_api.send_message is missing"},
      {"empty_name", "og_plugin_api.name is missing"},
      {"bad_schema", "config_schema_json is not a JSON object"},
      {"unusable_schema", "config_schema_json is not a JSON Schema the host can apply"},
      {"unresolved", "og_missing_dependency"},
  };
  return cases;
}

omnigate::config::PluginInstanceConfig instance(std::string name, std::string file,
                                                std::string config_json = "{}") {
  omnigate::config::PluginInstanceConfig c;
  c.instance = std::move(name);
  c.file = std::move(file);
  c.config_json = std::move(config_json);
  return c;
}

// Outbox row 1: a reply of `body` to +15550001111 through `instance_name`.
omnigate::store::OutboxItem reply_row(const std::string& instance_name, const std::string& body) {
  omnigate::store::OutboxItem item;
  item.id = 1;
  item.channel_instance = instance_name;
  item.idempotency_key = "outbox-1";
  item.to_kind = "phone";
  item.to_address = "+15550001111";
  item.body_text = body;
  return item;
}

SendOutcome send_through(PluginHost& host, const std::string& instance_name) {
  const auto item = reply_row(instance_name, "hello");
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  REQUIRE(future.wait_for(omnigate::test::kDeadline) == std::future_status::ready);
  return future.get();
}

omnigate::LookupOutcome lookup_through(PluginHost& host, const std::string& instance_name,
                                       const std::string& body) {
  auto item = reply_row(instance_name, body);
  item.attempts = 2;
  auto promise = std::make_shared<std::promise<omnigate::LookupOutcome>>();
  auto future = promise->get_future();
  host.lookup(item, [promise](omnigate::LookupOutcome o) { promise->set_value(std::move(o)); });
  REQUIRE(future.wait_for(omnigate::test::kDeadline) == std::future_status::ready);
  return future.get();
}

omnigate::PluginHostOptions fixture_host_options() {
  omnigate::PluginHostOptions options;
  options.plugin_dir = OG_ABI_FIXTURE_DIR;
  options.max_fetch_response_bytes = 1 << 20;
  return options;
}

}  // namespace

TEST_CASE("a plugin without lookup_send is never asked to look a send up, and sends") {
  omnigate::test::HostTestEnv env;
  PluginHost host(*env.executor, *env.store, env.metrics, fixture_host_options());
  host.start(
      {instance("good", "libog_abi_good.so"), instance("looks_up", "libog_abi_looks_up.so")});
  for (const auto& info : host.instances()) {
    INFO(info.instance << ": " << info.reason);
    CHECK(info.state == "running");
  }
  CHECK(lookup_through(host, "good", "known").kind == omnigate::LookupOutcome::Kind::unsupported);
  CHECK(send_through(host, "good").kind == SendOutcome::Kind::sent);

  const auto found = lookup_through(host, "looks_up", "known");
  CHECK(found.kind == omnigate::LookupOutcome::Kind::found);
  CHECK(found.provider_message_id == "c-plugin-found");
  CHECK(lookup_through(host, "looks_up", "new").kind == omnigate::LookupOutcome::Kind::not_found);
  CHECK(lookup_through(host, "nobody", "known").kind == omnigate::LookupOutcome::Kind::unsupported);
  host.stop();
}

TEST_CASE("inspect_plugin describes a correct plugin without creating an instance") {
  const auto r = omnigate::inspect_plugin(fixture("good"));
  REQUIRE(r.ok);
  CHECK(r.error.empty());
  CHECK(r.name == "fixture");
  CHECK(r.version == "1.0.0");
  CHECK(r.channel_kind == "test");
  CHECK(r.description == "ABI test fixture");
  CHECK(r.config_schema_json == R"({"type":"object"})");
  CHECK(r.abi_major == 2);
  CHECK(r.abi_minor == 0);  // the minor it needs, not the header's
}

TEST_CASE("inspect_plugin refuses every broken plugin naming the file and the reason") {
  for (const auto& c : broken_cases()) {
    INFO(c.fixture);
    const auto r = omnigate::inspect_plugin(fixture(c.fixture));
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.error, Contains(fixture(c.fixture)) && Contains(c.reason));
  }
}

TEST_CASE("inspect_plugin reports a missing file with the loader's reason") {
  const std::string path = std::string(OG_ABI_FIXTURE_DIR) + "/libog_does_not_exist.so";
  const auto r = omnigate::inspect_plugin(path);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Contains(path) && Contains("No such file"));
}

TEST_CASE("PluginHost::start keeps going past broken and declining and failing plugins") {
  omnigate::test::HostTestEnv env;
  PluginHost host(*env.executor, *env.store, env.metrics, fixture_host_options());

  std::vector<omnigate::config::PluginInstanceConfig> configs;
  for (const auto& c : broken_cases())
    configs.push_back(instance(c.fixture, "libog_abi_" + c.fixture + ".so"));
  configs.push_back(instance("declines", "libog_abi_declines.so"));
  configs.push_back(instance("create_error", "libog_abi_create_error.so"));
  configs.push_back(instance("throw_create", "libog_abi_throwing.so", R"({"throw_in":"create"})"));
  configs.push_back(instance("throw_start", "libog_abi_throwing.so", R"({"throw_in":"start"})"));
  configs.push_back(instance("good", "libog_abi_good.so"));
  configs.push_back(
      instance("throw_handler", "libog_abi_throwing.so", R"({"throw_in":"handler"})"));
  configs.push_back(instance("throw_send", "libog_abi_throwing.so", R"({"throw_in":"send"})"));
  auto disabled = instance("off", "libog_abi_good.so");
  disabled.enabled = false;
  configs.push_back(disabled);
  host.start(configs);

  std::map<std::string, PluginHost::InstanceInfo> by_name;
  for (const auto& info : host.instances()) by_name[info.instance] = info;
  REQUIRE(by_name.size() == configs.size());

  for (const auto& c : broken_cases()) {
    INFO(c.fixture);
    CHECK(by_name[c.fixture].state == "failed");
    CHECK_THAT(by_name[c.fixture].reason, Contains(fixture(c.fixture)) && Contains(c.reason));
  }
  CHECK(by_name["declines"].state == "disabled");
  CHECK_THAT(by_name["declines"].reason, Contains("disabled by its own config"));
  CHECK(by_name["create_error"].state == "failed");
  CHECK_THAT(by_name["create_error"].reason, Contains("auth_token: is required"));
  CHECK(by_name["throw_create"].state == "failed");
  CHECK_THAT(by_name["throw_create"].reason, Contains("boom in create"));
  CHECK(by_name["throw_start"].state == "failed");
  CHECK_THAT(by_name["throw_start"].reason, Contains("boom in start"));
  CHECK(by_name["off"].state == "disabled");
  for (const char* name : {"good", "throw_handler", "throw_send"}) {
    INFO(name);
    CHECK(by_name[name].state == "running");
  }
  CHECK(by_name["good"].plugin == "fixture");
  CHECK(by_name["good"].channel_kind == "test");

  omnigate::http::Router router;
  host.register_routes(router);

  SECTION("a handler that returns without respond() is answered from its status") {
    CHECK(omnigate::test::call_route(router, "GET", "/channels/good/ok")->status == 204);
    CHECK(omnigate::test::call_route(router, "GET", "/channels/good/retry")->status == 503);
    CHECK(omnigate::test::call_route(router, "GET", "/channels/good/permanent")->status == 400);
    CHECK(omnigate::test::call_route(router, "GET", "/channels/good/garbage")->status == 500);
  }
  SECTION("a route of a plugin that failed to start is not mounted") {
    CHECK(omnigate::test::call_route(router, "POST", "/channels/throw_start/hook")->status == 404);
  }
  SECTION("an exception in a C++ handler becomes a 500, and the instance keeps serving") {
    CHECK(omnigate::test::call_route(router, "POST", "/channels/throw_handler/hook")->status ==
          500);
    CHECK(omnigate::test::call_route(router, "POST", "/channels/throw_handler/hook")->status ==
          500);
    CHECK(omnigate::test::call_route(router, "GET", "/channels/good/ok")->status == 204);
  }
  SECTION("sends: C plugin result, C++ exception → retry, declined → retry, unknown → permanent") {
    const auto good = send_through(host, "good");
    CHECK(good.kind == SendOutcome::Kind::sent);
    CHECK(good.provider_message_id == "c-plugin-1");
    const auto thrown = send_through(host, "throw_send");
    CHECK(thrown.kind == SendOutcome::Kind::retry);
    CHECK_THAT(thrown.error_text, Contains("boom in send"));
    CHECK(send_through(host, "declines").kind == SendOutcome::Kind::retry);
    CHECK(send_through(host, "nobody").kind == SendOutcome::Kind::permanent);
  }
}
