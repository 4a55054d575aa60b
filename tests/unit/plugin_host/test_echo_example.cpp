// The plugin guide's example works as the guide says.
#include "plugin_host/plugin_host.hpp"

#include "host_test_env.hpp"

#include <catch2/catch.hpp>

#include <future>

using Catch::Matchers::Contains;

TEST_CASE("the echo example stores a POSTed message and reports its replies as sent") {
  const auto inspection = omnigate::inspect_plugin(OG_ECHO_PLUGIN);
  REQUIRE(inspection.ok);
  CHECK(inspection.name == "echo");

  omnigate::test::HostTestEnv env;
  omnigate::PluginHost host(*env.executor, *env.store, env.metrics, {});
  omnigate::config::PluginInstanceConfig config;
  config.instance = "echo";
  config.file = OG_ECHO_PLUGIN;
  host.start({config});
  omnigate::http::Router router;
  host.register_routes(router);

  const auto stored =
      omnigate::test::call_route(router, "POST", "/channels/echo/messages", "hello there",
                                 {{"X-Echo-From", "visitor-1"}, {"X-Echo-Message-Id", "e-1"}});
  REQUIRE(stored);
  CHECK(stored->status == 200);
  omnigate::store::ConversationFilter filter;
  filter.channel_instance = "echo";
  CHECK(env.store->list_conversations(filter).size() == 1);

  const auto refused =
      omnigate::test::call_route(router, "POST", "/channels/echo/messages", "no sender");
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK_THAT(refused->body, Contains("X-Echo-From header is required"));

  omnigate::store::OutboxItem item;
  item.channel_instance = "echo";
  item.idempotency_key = "row-1";
  item.to_address = "visitor-1";
  item.body_text = "hi back";
  std::promise<omnigate::SendOutcome> promise;
  host.send(item, [&](omnigate::SendOutcome o) { promise.set_value(std::move(o)); });
  const auto outcome = promise.get_future().get();
  CHECK(outcome.kind == omnigate::SendOutcome::Kind::sent);
  CHECK(outcome.provider_message_id == "echo-row-1");
}
