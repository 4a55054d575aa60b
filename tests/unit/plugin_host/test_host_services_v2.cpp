// The ABI 2.0 host services, through the real host and the probe plugin: post from a plugin
// thread, submits and deferred replies from any thread, per-route body limits, host_info,
// non-blocking kv writes and plugin metrics.
#include "probe_host.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <future>
#include <thread>

using Catch::Matchers::Contains;
using nlohmann::json;
using omnigate::test::call_route;
using omnigate::test::kDeadline;
using omnigate::test::ProbeHost;

namespace {

const std::string kProbe = "/channels/probe";

std::size_t inbound_messages_of(ProbeHost& p, const std::string& instance) {
  omnigate::store::ConversationFilter filter;
  filter.channel_instance = instance;
  std::size_t n = 0;
  for (const auto& c : p.env.store->list_conversations(filter)) {
    for (const auto& entry : p.env.store->transcript(c.id)) {
      if (entry.message && entry.message->direction == "in") ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("a task posted from a plugin thread runs once on the strand, as a callback") {
  ProbeHost p;
  const auto r = p.post(kProbe + "/post", {{"key", "posted"}});
  REQUIRE(r.status == 202);
  CHECK(r.body == "0");  // OG_OK
  // http_fetch is callback only: accepted (0) inside the task, refused (4) anywhere else.
  CHECK(p.await_kv("probe", "posted") == "cancelled=0 fetch=0");
}

TEST_CASE("Host::post of the C++ wrapper hands a plugin thread's task to the strand") {
  ProbeHost p;
  const auto r = p.post(kProbe + "/post-wrapped", {{"key", "wrapped"}});
  REQUIRE(r.status == 202);
  CHECK(r.body == "accepted");
  CHECK(p.await_kv("probe", "wrapped") == "ran on the strand");
}

TEST_CASE("a task posted while the instance stops runs cancelled before destroy") {
  ProbeHost p;
  p.host.stop();  // the probe's stop() posts a task and queues a kv write with a completion
  CHECK(p.await_kv("probe", "stop-report").value_or("<none>") == "post=cancelled=1 kv=done=0");
}

TEST_CASE("a deferred reply is given from a plugin thread after its submit is committed") {
  ProbeHost p;
  const auto r = p.post(kProbe + "/defer", {{"id", "D1"}, {"from", "+15551230009"}, {"text", "x"}});
  CHECK(r.status == 200);
  CHECK(r.body == "deferred\n");
  // The reply itself proves the commit: the submit from the plugin thread was tied to it.
  CHECK(inbound_messages_of(p, "probe") == 1);
}

TEST_CASE("a deferred reply not given in time is answered 503 and a late respond is refused") {
  ProbeHost p;
  const auto r = p.post(kProbe + "/defer-never", json::object());
  CHECK(r.status == 503);
  const auto id = p.await_kv("probe", "deferred-id");
  REQUIRE(id.has_value());
  const auto late = p.post(kProbe + "/respond-late", {{"id", *id}});
  CHECK(late.body == std::to_string(OG_PERMANENT));
}

TEST_CASE("stopping the instance answers its pending deferred requests 503") {
  ProbeHost p;
  auto reply = std::async(std::launch::async, [&p] {
    return call_route(p.router, "POST", kProbe + "/defer-hold", "{}");
  });
  REQUIRE(p.await_kv("probe", "held-id").has_value());
  p.host.stop();
  REQUIRE(reply.wait_for(kDeadline) == std::future_status::ready);
  const auto r = reply.get();
  REQUIRE(r.has_value());
  CHECK(r->status == 503);
}

TEST_CASE("a respond from a plugin thread while the handler runs is still refused") {
  ProbeHost p;
  // Before the handler returned OG_PENDING, only the handler itself may answer.
  CHECK(p.post(kProbe + "/respond-own", json::object()).status == 500);
}

TEST_CASE("a route's body limit is the operator's value clipped to the plugin's ceiling") {
  auto probe = ProbeHost::instance("probe", false);
  probe.body_limits = {{"/big", 2 * 1024 * 1024}, {"/sized", 64 * 1024 * 1024}};
  auto other = ProbeHost::instance("probe_private", true);
  ProbeHost p(omnigate::test::probe_options(), {probe, other});
  CHECK(p.router.match("POST", "/channels/probe/big").max_body_bytes == 2u * 1024 * 1024);
  // The operator asked for 64 MiB; the route's ceiling is the host default of 1 MiB.
  CHECK(p.router.match("POST", "/channels/probe/sized").max_body_bytes == 1024u * 1024);
  // Without an operator value: the plugin's ceiling.
  CHECK(p.router.match("POST", "/channels/probe_private/big").max_body_bytes == 8u * 1024 * 1024);
  CHECK(p.router.match("POST", "/channels/probe_private/sized").max_body_bytes == 1024u * 1024);
}

TEST_CASE("host_info gives the instance name, mount path, public base URL and version") {
  auto options = omnigate::test::probe_options();
  options.public_base_url = "https://gw.example.com";
  auto own = ProbeHost::instance("probe_private", true);
  own.public_base_url = "https://sms.example.com";
  ProbeHost p(options, {ProbeHost::instance("probe", false), own});
  const auto r = p.get(kProbe + "/info");
  REQUIRE(r.status == 200);
  const json info = json::parse(r.body);
  CHECK(info["instance_name"] == "probe");
  CHECK(info["mount_path"] == "/channels/probe");
  CHECK(info["public_base_url"] == "https://gw.example.com");
  CHECK(!info["gateway_version"].get<std::string>().empty());
  CHECK(json::parse(p.get("/channels/probe_private/info").body)["public_base_url"] ==
        "https://sms.example.com");
}

TEST_CASE("kv_put returns before the write is durable, reads its own write, completes later") {
  ProbeHost p;
  // Another connection holds the database's write lock: a kv_put that waited for its commit
  // would hold the handler (and the strand) until the lock is gone.
  sqlite3* conn = nullptr;
  REQUIRE(sqlite3_open((p.env.dir / "omnigate.db").c_str(), &conn) == SQLITE_OK);
  REQUIRE(sqlite3_exec(conn, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto r = call_route(p.router, "POST", kProbe + "/kv-async",
                            json{{"key", "cursor"}, {"value", "page-7"}}.dump());
  sqlite3_exec(conn, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(conn);
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "page-7");  // read back before it was durable
  CHECK(p.await_kv("probe", "cursor.done") == "0");
  CHECK(p.env.store->kv_get("probe", "cursor") == "page-7");
}

TEST_CASE("plugin metrics are exported with the instance and plugin labels") {
  ProbeHost p;
  REQUIRE(p.post(kProbe + "/metric", {{"counter", 2}, {"gauge", 7.5}, {"hist", 0.02}}).status ==
          200);
  REQUIRE(p.post(kProbe + "/metric", {{"counter", 1}, {"gauge", 3}, {"hist", 0.3}}).status == 200);
  const std::string text = p.env.metrics.render();
  CHECK_THAT(text, Contains("# TYPE omnigate_plugin_probe_requests_total counter"));
  CHECK_THAT(
      text, Contains(R"(omnigate_plugin_probe_requests_total{instance="probe",plugin="probe"} 3)"));
  CHECK_THAT(text, Contains(R"(omnigate_plugin_probe_level{instance="probe",plugin="probe"} 3)"));
  CHECK_THAT(text, Contains("# TYPE omnigate_plugin_probe_latency_seconds histogram"));
  CHECK_THAT(
      text,
      Contains(
          R"(omnigate_plugin_probe_latency_seconds_count{instance="probe",plugin="probe"} 2)"));
  CHECK_THAT(
      text,
      Contains(
          R"(omnigate_plugin_probe_latency_seconds_bucket{instance="probe",plugin="probe",le="0.025"} 1)"));
  // The other instance's counter is listed (at 0) under its own label.
  CHECK_THAT(
      text,
      Contains(
          R"(omnigate_plugin_probe_requests_total{instance="probe_private",plugin="probe"} 0)"));
}

TEST_CASE("metric_register checks names and kinds, and works during create/start only") {
  ProbeHost p;
  const json checks = json::parse(p.get(kProbe + "/metric-checks").body);
  CHECK(checks["same_id"] == true);
  CHECK(checks["kind_mismatch"] == OG_PERMANENT);
  CHECK(checks["bad_name"] == OG_PERMANENT);
  CHECK(checks["too_long"] == OG_PERMANENT);
  CHECK(checks["longest"] == OG_OK);
  CHECK(checks["host_owned"] == OG_PERMANENT);
  CHECK(checks["after_start"] == OG_PERMANENT);
}
