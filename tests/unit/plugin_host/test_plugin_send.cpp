// Outbound: PluginHost::send → the plugin's send_message → send_result → the outbox's outcome.
#include "probe_host.hpp"

#include <catch2/catch.hpp>

#include <future>

using Catch::Matchers::Contains;
using omnigate::SendOutcome;
using omnigate::test::ProbeHost;

namespace {

SendOutcome send(ProbeHost& p, const std::string& instance, const std::string& behaviour) {
  omnigate::store::OutboxItem item;
  item.id = 7;
  item.channel_instance = instance;
  item.idempotency_key = "outbox-7";
  item.to_kind = "phone";
  item.to_address = "+15551239999";
  item.body_text = behaviour;
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  p.host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  REQUIRE(future.wait_for(omnigate::test::kDeadline) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("a send reported OK carries the provider's id back to the outbox") {
  ProbeHost p;
  const auto o = send(p, "probe", "ok");
  CHECK(o.kind == SendOutcome::Kind::sent);
  CHECK(o.provider_message_id == "probe-outbox-7");
  CHECK_THAT(
      p.env.metrics.render(),
      Contains(
          R"(omnigate_plugin_outbound_total{instance="probe",channel="sms",result="sent"} 1)"));
}

TEST_CASE("send_result may come from a plugin thread") {
  ProbeHost p;
  const auto o = send(p, "probe", "later");
  CHECK(o.kind == SendOutcome::Kind::sent);
  CHECK(o.provider_message_id == "probe-outbox-7");
}

TEST_CASE("an immediate RETRY or PERMANENT from send_message maps to the outcome at once") {
  ProbeHost p;
  const auto retry = send(p, "probe", "retry");
  CHECK(retry.kind == SendOutcome::Kind::retry);
  CHECK_THAT(retry.error_text, Contains("provider busy"));
  const auto permanent = send(p, "probe", "permanent");
  CHECK(permanent.kind == SendOutcome::Kind::permanent);
  CHECK_THAT(permanent.error_text, Contains("number blocked"));
}

TEST_CASE("a plugin that never reports a send gets a retry outcome after the send timeout") {
  auto options = omnigate::test::probe_options();
  options.send_timeout_ms = 100;
  ProbeHost p(options);
  const auto o = send(p, "probe", "silent");
  CHECK(o.kind == SendOutcome::Kind::retry);
  CHECK(o.error_code == "send_timeout");
}

TEST_CASE("sends to an unknown instance fail permanently and to a stopped one they are retried") {
  ProbeHost p;
  CHECK(send(p, "nowhere", "ok").kind == SendOutcome::Kind::permanent);
  p.host.stop();
  const auto o = send(p, "probe", "ok");
  CHECK(o.kind == SendOutcome::Kind::retry);
  CHECK(p.host.instances()[0].state == "disabled");
}

TEST_CASE("stopping the host completes a send still waiting for its result") {
  ProbeHost p;
  omnigate::store::OutboxItem item;
  item.channel_instance = "probe";
  item.idempotency_key = "outbox-8";
  item.body_text = "silent";
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  p.host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  // The plugin has accepted it (the overlap route runs after it on the same strand).
  REQUIRE(p.get("/channels/probe/overlap").status == 200);
  p.host.stop();
  REQUIRE(future.wait_for(omnigate::test::kDeadline) == std::future_status::ready);
  CHECK(future.get().kind == SendOutcome::Kind::retry);
}
