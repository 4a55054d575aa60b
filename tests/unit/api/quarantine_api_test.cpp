// The quarantine and plugin-state admin routes through the real Router with a real SQLite store:
// admins list, read (raw input included), release and drop quarantined inputs and enable
// disabled plugin instances; every change is audited and reported to the running gateway.
#include "api/quarantine_api.hpp"
#include "api/quarantine_view.hpp"
#include "core/base64.hpp"

#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

#include <atomic>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;

namespace {

struct Quarantine {
  omnigate::testing::TempStore store;
  std::atomic<int> changes{0};
  std::unique_ptr<api::QuarantineApi> quarantine_api;
  http::Router router;

  // Users: ada (admin), sue (supervisor).
  Quarantine() {
    testing::add_user(*store, "ada", store::Role::admin, "");
    testing::add_user(*store, "sue", store::Role::supervisor, "");
    quarantine_api = std::make_unique<api::QuarantineApi>(*store, [this] { ++changes; });
    quarantine_api->register_routes(router);
  }

  struct Result {
    int status = 0;
    json body;
  };
  Result call(const std::string& method, const std::string& target, const std::string& who) {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    auto m = router.match(method, req.path);
    REQUIRE(m.handler != nullptr);
    req.params = m.params;
    req.headers.emplace_back("Authorization", "Bearer " + who + "-token");
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    auto r = f.get();
    return {r.status, json::parse(r.body)};
  }

  store::CrashVerdict crash(const std::string& instance, const std::string& kind,
                            const std::string& key, const std::string& raw, int quarantine_after,
                            store::UnixMs at = 0) {
    store::PluginCrash c;
    c.instance = instance;
    c.mode = "process";
    c.reason = "signal 11";
    c.input_kind = kind;
    c.input_key = key;
    c.raw = raw;
    c.at = at;
    return committed<store::CrashVerdict>(
        [&](auto done) { store->record_plugin_crash(c, quarantine_after, done); });
  }

  std::string path(store::Id id, const std::string& rest = "") {
    return "/api/v1/admin/quarantine/" + std::to_string(id) + rest;
  }
};

}  // namespace

TEST_CASE("quarantine routes are for admins only", "[quarantine_api]") {
  Quarantine q;
  const auto v = q.crash("sms", "http", "k", "{}", 1);
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/admin/quarantine"},
           {"GET", q.path(v.quarantine_id)},
           {"POST", q.path(v.quarantine_id, "/release")},
           {"POST", q.path(v.quarantine_id, "/drop")},
           {"GET", "/api/v1/admin/plugins/state"},
           {"POST", "/api/v1/admin/plugins/sms/enable"}}) {
    INFO(method << " " << target);
    const auto r = q.call(method, target, "sue");
    CHECK(r.status == 403);
    CHECK(r.body["message"] == "this needs the role admin");
    CHECK(q.call(method, target, "nobody").status == 401);
  }
  CHECK(q.store->get_quarantine(v.quarantine_id)->status == "quarantined");
  CHECK(q.changes == 0);
}

TEST_CASE("admins list quarantined inputs, newest first, filtered", "[quarantine_api]") {
  Quarantine q;
  q.crash("sms", "http", "a", "{}", 1, 1000);
  q.crash("sms", "ws", "b", "{}", 3, 2000);
  q.crash("email", "http", "c", "{}", 1, 3000);

  const auto all = q.call("GET", "/api/v1/admin/quarantine", "ada");
  REQUIRE(all.status == 200);
  REQUIRE(all.body["quarantine"].size() == 3);
  CHECK(all.body["quarantine"][0]["input_key"] == "c");
  CHECK(all.body["quarantine"][2]["input_key"] == "a");
  const auto& first = all.body["quarantine"][2];
  CHECK(first["instance"] == "sms");
  CHECK(first["input_kind"] == "http");
  CHECK(first["status"] == "quarantined");
  CHECK(first["crashes"] == 1);
  CHECK(first["last_crash_at"] == 1000);
  CHECK(first["quarantined_at"] == 1000);
  CHECK(first["released_at"].is_null());
  CHECK(first["last_reason"] == "signal 11");
  CHECK_FALSE(first.contains("raw"));  // the list stays small: raw inputs only one at a time

  const auto sms = q.call("GET", "/api/v1/admin/quarantine?instance=sms&status=quarantined", "ada");
  REQUIRE(sms.body["quarantine"].size() == 1);
  CHECK(sms.body["quarantine"][0]["input_key"] == "a");
  CHECK(q.call("GET", "/api/v1/admin/quarantine?limit=1", "ada").body["quarantine"].size() == 1);

  const auto bad_status = q.call("GET", "/api/v1/admin/quarantine?status=lost", "ada");
  CHECK(bad_status.status == 400);
  CHECK(bad_status.body["field"] == "status");
  CHECK(q.call("GET", "/api/v1/admin/quarantine?limit=0", "ada").status == 400);
}

TEST_CASE("one entry comes with its raw input and the webhook body it holds", "[quarantine_api]") {
  Quarantine q;
  const std::string raw = json{{"method", "POST"},
                               {"path", "/sms"},
                               {"body_base64", omnigate::base64_encode("Body=crash me")}}
                              .dump();
  const auto v = q.crash("sms", "http", "k", raw, 2);
  const auto r = q.call("GET", q.path(v.quarantine_id), "ada");
  REQUIRE(r.status == 200);
  CHECK(r.body["id"] == v.quarantine_id);
  CHECK(r.body["status"] == "suspect");
  CHECK(r.body["raw"] == raw);
  CHECK(r.body["body"] == "Body=crash me");
  CHECK_FALSE(r.body.contains("raw_base64"));

  // Bytes that are not UTF-8 come as base64.
  const std::string bytes("\xFF\xFE\x00x", 4);
  const auto binary = q.crash("sms", "ws", "bin", bytes, 1);
  const auto b = q.call("GET", q.path(binary.quarantine_id), "ada");
  REQUIRE(b.status == 200);
  CHECK_FALSE(b.body.contains("raw"));
  CHECK(omnigate::base64_decode(b.body["raw_base64"].get<std::string>()) == bytes);

  CHECK(q.call("GET", q.path(4242), "ada").status == 404);
  const auto bad = q.call("GET", "/api/v1/admin/quarantine/x", "ada");
  CHECK(bad.status == 400);
  CHECK(bad.body["field"] == "id");
}

TEST_CASE("release and drop change the entry, are audited and reported", "[quarantine_api]") {
  Quarantine q;
  const auto suspect = q.crash("sms", "http", "s", "{}", 3);
  const auto released = q.crash("sms", "http", "r", "{}", 1);
  const auto dropped = q.crash("sms", "ws", "d", "{}", 1);

  const auto early = q.call("POST", q.path(suspect.quarantine_id, "/release"), "ada");
  CHECK(early.status == 409);
  CHECK(early.body["error"] == "conflict");
  CHECK(q.call("POST", q.path(4242, "/release"), "ada").status == 404);
  CHECK(q.changes == 0);

  const auto r = q.call("POST", q.path(released.quarantine_id, "/release"), "ada");
  REQUIRE(r.status == 200);
  CHECK(r.body["status"] == "released");
  CHECK(r.body["released_by"] == "user:ada");
  CHECK(r.body["replayed_at"].is_null());  // the running gateway replays it
  CHECK(q.changes == 1);
  CHECK(q.call("POST", q.path(released.quarantine_id, "/release"), "ada").status == 409);
  CHECK(q.call("POST", q.path(released.quarantine_id, "/drop"), "ada").status == 409);

  const auto d = q.call("POST", q.path(dropped.quarantine_id, "/drop"), "ada");
  REQUIRE(d.status == 200);
  CHECK(d.body["status"] == "dropped");
  CHECK(d.body["dropped_by"] == "user:ada");
  CHECK(q.call("POST", q.path(suspect.quarantine_id, "/drop"), "ada").status == 200);
  CHECK(q.changes == 3);
  CHECK(q.store->quarantined_inputs("sms").empty());

  const auto entries = q.call("GET", "/api/v1/admin/quarantine?status=dropped", "ada");
  CHECK(entries.body["quarantine"].size() == 2);
}

TEST_CASE("admins see plugin instance states and enable a disabled one", "[quarantine_api]") {
  Quarantine q;
  committed<store::Nothing>([&](auto done) {
    q.store->set_plugin_instance_disabled("sms", true, "5 crashes in 60 s", "system", done);
  });
  auto states = q.call("GET", "/api/v1/admin/plugins/state", "ada");
  REQUIRE(states.status == 200);
  REQUIRE(states.body["plugins"].size() == 1);
  CHECK(states.body["plugins"][0]["instance"] == "sms");
  CHECK(states.body["plugins"][0]["disabled"] == true);
  CHECK(states.body["plugins"][0]["reason"] == "5 crashes in 60 s");

  const auto other = q.call("POST", "/api/v1/admin/plugins/email/enable", "ada");
  CHECK(other.status == 409);
  CHECK(q.changes == 0);

  const auto enabled = q.call("POST", "/api/v1/admin/plugins/sms/enable", "ada");
  REQUIRE(enabled.status == 200);
  CHECK(enabled.body["instance"] == "sms");
  CHECK(enabled.body["disabled"] == false);
  CHECK(enabled.body["reason"] == "enabled by user:ada");
  CHECK(enabled.body["changed_by"] == "user:ada");
  CHECK(q.changes == 1);
  CHECK_FALSE(q.store->plugin_instance_states()[0].disabled);
  CHECK(q.call("POST", "/api/v1/admin/plugins/sms/enable", "ada").status == 409);
}
