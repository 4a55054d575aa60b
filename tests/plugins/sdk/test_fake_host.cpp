// The SDK's fake host (omnigate::plugin_testing) implements every 2.2 host service: each test
// drives one service through tests/plugins/sdk/service_probe_plugin.c, dlopen()ed like the
// gateway does, so a plugin's own unit tests can rely on the fake behaving as the ABI says.
#include <omnigate/testing/fake_host.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace omnigate::testing;

namespace {

struct Probe {
  FakeHost host;
  LoadedPlugin plugin{OG_SERVICE_PROBE_PATH, host, "probe", "{}"};
  Probe() { REQUIRE(plugin.create_status() == OG_OK); }

  RecordedResponse post(const std::string& path, const std::string& body = "") {
    return plugin.request("POST", path, "", {}, body);
  }
  bool logged(const std::string& line) const {
    return std::find(host.logs.begin(), host.logs.end(), line) != host.logs.end();
  }
};

}  // namespace

TEST_CASE("post: a plugin thread's task waits for run_posted and runs on the test's thread") {
  Probe p;
  const auto reply = p.post("/post", "from a thread");
  CHECK(reply.status == 202);
  CHECK(p.host.posted_count() == 1);
  CHECK(p.host.inbound.empty());
  CHECK(p.host.run_posted() == 1);
  REQUIRE(p.host.inbound.size() == 1);
  CHECK(p.host.inbound[0].body_text == "from a thread");
  CHECK(p.host.inbound[0].request_id == 0);
}

TEST_CASE("post: tasks still queued at stop run cancelled, later posts are refused") {
  Probe p;
  p.post("/post", "too late");
  p.plugin.stop();
  CHECK(p.logged("task cancelled"));
  CHECK(p.host.inbound.empty());
  p.post("/post", "after stop");
  CHECK(p.host.posted_count() == 0);
  CHECK(std::any_of(p.host.logs.begin(), p.host.logs.end(),
                    [](const std::string& l) { return l.rfind("post refused:", 0) == 0; }));
}

TEST_CASE("respond: a deferred reply (OG_PENDING) is sent when the plugin responds later") {
  Probe p;
  og_status handler_status = OG_INTERNAL;
  const uint64_t id = p.plugin.begin_request("POST", "/defer", "", {}, "", &handler_status);
  CHECK(handler_status == OG_PENDING);
  CHECK_FALSE(p.host.response(id));
  p.host.run_posted();
  const auto reply = p.host.response(id);
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "deferred\n");
  CHECK_THROWS(p.post("/defer"));  // request() refuses a reply that is not there yet
}

TEST_CASE("respond: a deferred request not answered in time gets 503") {
  Probe p;
  const uint64_t id = p.plugin.begin_request("POST", "/defer", "", {}, "");
  p.host.expire_request(id);
  REQUIRE(p.host.response(id));
  CHECK(p.host.response(id)->status == 503);
  p.host.run_posted();  // the plugin's late respond() is refused: the request is answered
  CHECK(p.host.response(id)->status == 503);
  CHECK(std::any_of(p.host.logs.begin(), p.host.logs.end(), [](const std::string& l) {
    return l.find("respond refused") != std::string::npos;
  }));
}

TEST_CASE("respond: an invalid reply is refused in og_error and answered 500") {
  Probe p;
  const auto reply = p.post("/bad-reply");
  CHECK(reply.status == 500);
  REQUIRE(p.host.refused_responses.size() == 1);
  CHECK(p.host.refused_responses[0].reason.find("999") != std::string::npos);
  CHECK(std::any_of(p.host.logs.begin(), p.host.logs.end(), [](const std::string& l) {
    return l.rfind("refused: reply refused: status 999", 0) == 0;
  }));
}

TEST_CASE("route options are recorded") {
  Probe p;
  const auto big = std::find_if(p.host.routes.begin(), p.host.routes.end(),
                                [](const RecordedRoute& r) { return r.path == "/big"; });
  REQUIRE(big != p.host.routes.end());
  CHECK(big->has_options);
  CHECK(big->max_body_bytes == 50u << 20);
  CHECK(big->respond_timeout_ms == 30000);
  const auto info = std::find_if(p.host.routes.begin(), p.host.routes.end(),
                                 [](const RecordedRoute& r) { return r.path == "/info"; });
  REQUIRE(info != p.host.routes.end());
  CHECK_FALSE(info->has_options);
}

TEST_CASE("host_info: instance name, mount path, public base URL, version") {
  FakeHost host;
  host.public_base_url = "https://gw.example.com";
  host.gateway_version = "9.9.9";
  LoadedPlugin plugin(OG_SERVICE_PROBE_PATH, host, "probe_a", "{}");
  const auto reply = plugin.request("GET", "/info", "", {}, "");
  CHECK(reply.body == "probe_a|/channels/probe_a|https://gw.example.com|9.9.9");
}

TEST_CASE("kv: put is visible to get at once, its completion runs on run_posted") {
  Probe p;
  CHECK(p.post("/kv", "cursor=42").body == "42");
  CHECK(p.host.kv.at("cursor") == "42");
  CHECK_FALSE(p.logged("kv done 0"));
  p.host.run_posted();
  CHECK(p.logged("kv done 0"));

  CHECK(p.post("/kv-delete", "cursor").body == "deleted");
  CHECK(p.host.kv.count("cursor") == 0);
  p.host.kv_status = OG_RETRY;  // a write that failed to become durable
  p.post("/kv", "k=v");
  p.host.run_posted();
  CHECK(p.logged("kv done 3"));
}

TEST_CASE("kv: an oversize value is refused") {
  Probe p;
  CHECK(p.post("/kv", "big=" + std::string(64 * 1024 + 1, 'x')).status == 400);
  CHECK(p.host.kv.count("big") == 0);
}

TEST_CASE("blobs: written in chunks, referenced by sha256, attached, and read back in chunks") {
  Probe p;
  const std::string audio = "RIFF....WAVEfmt not really audio, but 43 bytes";
  const auto reply = p.post("/blob", audio);
  REQUIRE(reply.status == 200);
  const std::string ref = reply.body;
  CHECK(ref.rfind("sha256:", 0) == 0);
  CHECK(ref.size() == 7 + 64);
  CHECK(ref == p.host.store_blob(audio));  // the same bytes, the same reference
  REQUIRE(p.host.inbound.size() == 1);
  REQUIRE(p.host.inbound[0].attachments.size() == 1);
  const auto& a = p.host.inbound[0].attachments[0];
  CHECK(a.blob_ref == ref);
  CHECK(a.size == audio.size());
  CHECK(a.content_id == "rec1");
  CHECK(a.disposition == "inline");
  CHECK(a.data.empty());

  CHECK(p.post("/blob-read", ref).body == audio);
  CHECK(p.post("/blob-read", "sha256:" + std::string(64, '0')).status == 404);
  CHECK(p.host.blob_writers.empty());
}

TEST_CASE("blobs: a write past the limit is refused") {
  Probe p;
  p.host.blob_limit_bytes = 10;
  CHECK(p.post("/blob", std::string(30, 'a')).status == 400);
  CHECK(p.host.blobs.empty());
  CHECK(p.host.blob_writers.empty());
}

TEST_CASE("conversations: a notice reaches on_conversation and get_conversation answers") {
  Probe p;
  FakeConversation c;
  c.conversation_id = 12;
  c.status = "assigned";
  c.agent_id = "ana";
  c.agent_display_name = "Ana";
  c.agent_contact_json = R"({"sip":"sip:ana@pbx.example"})";
  p.host.conversations[12] = c;
  CHECK(p.plugin.notify_conversation(OG_CONVERSATION_TRANSFERRED, 12, "bob"));
  CHECK(p.logged(
      R"(notice 2 conversation 12 agent Ana contact {"sip":"sip:ana@pbx.example"} previous bob)"));
  CHECK(p.logged("state assigned position 0 wait -1"));

  p.host.conversations[12].status = "waiting";
  p.host.conversations[12].queue_position = 3;
  p.host.conversations[12].expected_wait_ms = 90000;
  p.plugin.notify_conversation(OG_CONVERSATION_QUEUE_CHANGED, 12);
  CHECK(p.logged("state waiting position 3 wait 90000"));
}

TEST_CASE("metrics: registered with kind and help, every record kept") {
  Probe p;
  p.post("/kv", "a=1");
  p.post("/kv", "b=2");
  const RecordedMetric* m = p.host.metric("probe_requests_total");
  REQUIRE(m);
  CHECK(m->kind == OG_METRIC_COUNTER);
  CHECK(m->help == "requests the probe handled");
  CHECK(m->values == std::vector<double>{1.0, 1.0});

  // Re-registering the same name and kind returns the same id; a bad name is refused.
  uint64_t id = 0;
  og_error err = OG_ERROR_INIT;
  const og_host_api* api = p.host.api();
  CHECK(api->metric_register(p.host.ctx(), OG_METRIC_COUNTER, {"probe_requests_total", 20},
                             {nullptr, 0}, &id, &err) == OG_OK);
  CHECK(id == m->id);
  CHECK(api->metric_register(p.host.ctx(), OG_METRIC_GAUGE, {"Bad-Name", 8}, {nullptr, 0}, &id,
                             &err) == OG_PERMANENT);
  api->metric_record(p.host.ctx(), 999, 1.0);  // unknown ids are ignored
}

TEST_CASE("submit_event: recorded, with its commit callback run on run_posted") {
  Probe p;
  CHECK(p.post("/event").status == 204);
  REQUIRE(p.host.events.size() == 1);
  CHECK(p.host.events[0].kind == "call.answered");
  CHECK(p.host.events[0].data_json == R"({"duration":3})");
  p.host.run_posted();
  CHECK(p.logged("committed 0 id 1"));
}

// ---- ABI 2.2: the fake's conversation_action and customer_lookup, called through its table as
// a plugin calls them; on_command and a notice's details through the probe.

namespace {

og_str view(const std::string& s) {
  return og_str{s.data(), s.size()};
}

og_status act(FakeHost& host, og_conversation_action_kind kind, int64_t conversation_id,
              const std::string& thread_key, const std::string& agent, const std::string& data,
              og_commit_fn done = nullptr, void* user = nullptr) {
  og_conversation_action a;
  std::memset(&a, 0, sizeof a);
  a.struct_size = sizeof a;
  a.kind = kind;
  a.conversation_id = conversation_id;
  a.thread_key = view(thread_key);
  a.agent_id = view(agent);
  a.data_json = view(data);
  og_error err = OG_ERROR_INIT;
  return host.api()->conversation_action(host.ctx(), &a, done, user, &err);
}

}  // namespace

TEST_CASE("conversation_action: checked, resolved by id or thread key, completed on run_posted") {
  FakeHost host;
  FakeConversation call;
  call.conversation_id = 7;
  call.thread_key = "CA1";
  host.conversations[7] = call;
  FakeConversation ended = call;
  ended.conversation_id = 9;
  ended.status = "resolved";
  host.conversations[9] = ended;

  std::vector<std::pair<og_status, int64_t>> outcomes;
  const og_commit_fn done = [](void* user, og_status st, int64_t id) {
    static_cast<std::vector<std::pair<og_status, int64_t>>*>(user)->emplace_back(st, id);
  };
  CHECK(act(host, OG_ACTION_ANSWERED, 0, "CA1", "", R"({"leg":"CA2"})", done, &outcomes) == OG_OK);
  host.action_status = OG_CONFIG;
  CHECK(act(host, OG_ACTION_TRANSFER, 7, "", "bob", "", done, &outcomes) == OG_OK);
  REQUIRE(host.actions.size() == 2);
  CHECK(host.actions[0].conversation_id == 7);  // the open one of CA1, not the resolved 9
  CHECK(host.actions[0].data_json == R"({"leg":"CA2"})");
  CHECK(host.actions[1].agent_id == "bob");
  CHECK(outcomes.empty());
  host.run_posted();
  const std::vector<std::pair<og_status, int64_t>> expected = {{OG_OK, 7}, {OG_CONFIG, 7}};
  CHECK(outcomes == expected);

  CHECK(act(host, 0, 7, "", "", "") == OG_PERMANENT);
  CHECK(act(host, OG_ACTION_ENDED, 7, "", "", "[1]") == OG_PERMANENT);
  CHECK(act(host, OG_ACTION_TRANSFER, 7, "", "", "") == OG_PERMANENT);
  CHECK(act(host, OG_ACTION_ENDED, 8, "", "", "") == OG_NOT_FOUND);
  CHECK(act(host, OG_ACTION_ENDED, 0, "CA9", "", "") == OG_NOT_FOUND);
  CHECK(host.actions.size() == 2);
}

TEST_CASE("customer_lookup: finds the customers a test adds") {
  FakeHost host;
  host.customers.push_back({"phone", "+14155550101", 42, "Ada", "A", 2});
  std::optional<FakeCustomer> seen;
  const og_customer_visit_fn visit = [](void* user, const og_customer_info* c) {
    *static_cast<std::optional<FakeCustomer>*>(user) =
        FakeCustomer{"",
                     "",
                     c->customer_id,
                     std::string(c->display_name.ptr, c->display_name.len),
                     std::string(c->tier.ptr, c->tier.len),
                     c->open_conversations};
  };
  og_error err = OG_ERROR_INIT;
  const std::string phone = "phone", number = "+14155550101", other = "+14155550102";
  REQUIRE(host.api()->customer_lookup(host.ctx(), view(phone), view(number), visit, &seen, &err) ==
          OG_OK);
  REQUIRE(seen.has_value());
  CHECK((seen->customer_id == 42 && seen->display_name == "Ada" && seen->tier == "A" &&
         seen->open_conversations == 2));
  CHECK(host.api()->customer_lookup(host.ctx(), view(phone), view(other), visit, &seen, &err) ==
        OG_NOT_FOUND);
  CHECK(host.api()->customer_lookup(host.ctx(), view(phone), og_str{nullptr, 0}, visit, &seen,
                                    &err) == OG_PERMANENT);
}

TEST_CASE(
    "on_command: LoadedPlugin::command reaches the plugin with the conversation's thread key") {
  Probe p;
  FakeConversation call;
  call.conversation_id = 7;
  call.thread_key = "CA1";
  p.host.conversations[7] = call;
  std::string error;
  CHECK(p.plugin.command(7, "recording.pause", R"({"why":"card"})", "ana", &error) == OG_OK);
  CHECK(p.logged(
      R"(command recording.pause conversation 7 thread CA1 data {"why":"card"} agent ana)"));
  CHECK(p.plugin.command(7, "fax.send", {}, "ana", &error) == OG_PERMANENT);
  CHECK(error == "unknown command");

  CHECK(p.plugin.notify_conversation(OG_CONVERSATION_TRANSFERRED, 7, "bob",
                                     R"({"mode":"warm","by":"user:sam"})"));
  CHECK(p.logged(R"(detail {"mode":"warm","by":"user:sam"})"));
}
