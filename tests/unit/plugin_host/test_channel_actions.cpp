// The ABI 2.2 host services through the real host and the probe plugin: conversation_action
// (checked at once, resolved to a conversation of the instance — by id or by thread key — handed
// to the gateway's handler, its outcome reported on the strand, and settled before destroy when
// the instance stops first), customer_lookup (a customer by identity, normalised like ingest),
// an agent's command (og_plugin_api.on_command through PluginHost::command) and the details of a
// conversation notice (detail_json).
#include "probe_host.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <future>
#include <mutex>

using nlohmann::json;
using omnigate::PluginHost;
using omnigate::store::ChannelAction;
using omnigate::store::ChannelActionOutcome;
using omnigate::store::ChannelCommand;
using omnigate::store::ChannelCommandOutcome;
using omnigate::test::ProbeHost;

namespace {

// The gateway's side of conversation_action: records every action and keeps its completion for
// the test to call.
struct Routing {
  std::mutex mu;
  std::vector<ChannelAction> actions;
  std::vector<std::function<void(ChannelActionOutcome)>> pending;

  void install(PluginHost& host) {
    host.on_channel_action([this](ChannelAction a, std::function<void(ChannelActionOutcome)> done) {
      std::lock_guard lock(mu);
      actions.push_back(std::move(a));
      pending.push_back(std::move(done));
    });
  }
  void answer(std::size_t index, ChannelActionOutcome outcome) {
    std::function<void(ChannelActionOutcome)> done;
    {
      std::lock_guard lock(mu);
      done = pending.at(index);
    }
    done(std::move(outcome));
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return actions.size();
  }
};

std::vector<omnigate::config::PluginInstanceConfig> two_probes() {
  return {ProbeHost::instance("probe", false), ProbeHost::instance("probe_private", true)};
}

json post_json(ProbeHost& p, const std::string& target, const json& body) {
  const auto r = p.post(target, body);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

// A customer message through the probe; returns its conversation.
std::int64_t inbound(ProbeHost& p, const std::string& id, const std::string& from,
                     const std::string& thread = {}) {
  REQUIRE(p.post("/channels/probe/inbound",
                 {{"id", id}, {"from", from}, {"text", "hello"}, {"thread", thread}})
              .status == 200);
  p.env.store->flush();
  omnigate::store::ConversationFilter filter;
  filter.channel_instance = "probe";
  const auto all = p.env.store->list_conversations(filter);
  REQUIRE(!all.empty());
  std::int64_t newest = 0;
  for (const auto& c : all) newest = std::max(newest, c.id);
  return newest;
}

json done_of(ProbeHost& p, const std::string& key) {
  const auto value = p.await_kv("probe", key);
  REQUIRE(value.has_value());
  return json::parse(*value);
}

ChannelCommandOutcome command(ProbeHost& p, std::int64_t conversation, const std::string& name,
                              const std::string& data = {}) {
  std::promise<ChannelCommandOutcome> answered;
  p.host.command(ChannelCommand{conversation, name, data, "alice"},
                 [&](ChannelCommandOutcome o) { answered.set_value(std::move(o)); });
  auto f = answered.get_future();
  REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return f.get();
}

}  // namespace

TEST_CASE("conversation_action hands the action to routing and reports its outcome on the strand") {
  Routing routing;
  ProbeHost p(omnigate::test::probe_options(), two_probes(),
              [&](PluginHost& host) { routing.install(host); });
  const auto id = inbound(p, "m1", "+14155550101", "CA100");

  auto out = post_json(p, "/channels/probe/action",
                       {{"kind", OG_ACTION_ANSWERED},
                        {"conversation_id", id},
                        {"reason", "agent answered"},
                        {"data", {{"leg", "CA200"}}},
                        {"done_key", "a1"}});
  CHECK(out["status"] == OG_OK);
  REQUIRE(routing.count() == 1);
  {
    std::lock_guard lock(routing.mu);
    const ChannelAction& a = routing.actions[0];
    CHECK(a.kind == ChannelAction::Kind::answered);
    CHECK(a.conversation_id == id);
    CHECK(a.instance == "probe");
    CHECK(a.reason == "agent answered");
    CHECK(a.data_json == R"({"leg":"CA200"})");
  }
  routing.answer(0, {true, {}});
  CHECK(done_of(p, "a1") == json{{"status", OG_OK}, {"id", id}});

  SECTION("conversation_id 0 finds the open conversation of the thread key") {
    out = post_json(p, "/channels/probe/action",
                    {{"kind", OG_ACTION_TRANSFER},
                     {"thread_key", "CA100"},
                     {"agent_id", "bob"},
                     {"done_key", "a2"}});
    CHECK(out["status"] == OG_OK);
    REQUIRE(routing.count() == 2);
    {
      std::lock_guard lock(routing.mu);
      CHECK(routing.actions[1].conversation_id == id);
      CHECK(routing.actions[1].kind == ChannelAction::Kind::transfer);
      CHECK(routing.actions[1].agent_id == "bob");
    }
    // Routing refuses it (bob has no room): OG_CONFIG with the conversation's id.
    routing.answer(1, {false, "agent bob has no capacity for sms"});
    CHECK(done_of(p, "a2") == json{{"status", OG_CONFIG}, {"id", id}});
  }
  SECTION("an action without a completion is handed on all the same") {
    out = post_json(p, "/channels/probe/action",
                    {{"kind", OG_ACTION_ENDED}, {"conversation_id", id}});
    CHECK(out["status"] == OG_OK);
    REQUIRE(routing.count() == 2);
    routing.answer(1, {true, {}});  // nothing to call back: nothing happens
  }
}

TEST_CASE("conversation_action refuses bad actions and conversations not of the instance") {
  Routing routing;
  ProbeHost p(omnigate::test::probe_options(), two_probes(),
              [&](PluginHost& host) { routing.install(host); });
  const auto id = inbound(p, "m1", "+14155550101", "CA100");
  const auto refused = [&](const std::string& instance, json body, og_status status,
                           const std::string& named) {
    const auto out = post_json(p, "/channels/" + instance + "/action", body);
    INFO(body.dump());
    CHECK(out["status"] == status);
    CHECK(out["error"].get<std::string>().find(named) != std::string::npos);
  };
  refused("probe", {{"kind", 0}, {"conversation_id", id}}, OG_PERMANENT, "kind");
  refused("probe", {{"kind", 6}, {"conversation_id", id}}, OG_PERMANENT, "kind");
  refused("probe", {{"kind", OG_ACTION_ENDED}, {"conversation_id", id}, {"data", json::array({1})}},
          OG_PERMANENT, "data_json");
  refused("probe", {{"kind", OG_ACTION_TRANSFER}, {"conversation_id", id}}, OG_PERMANENT,
          "agent_id");
  refused("probe", {{"kind", OG_ACTION_ENDED}, {"conversation_id", 987654}}, OG_NOT_FOUND,
          "no conversation 987654");
  refused("probe_private", {{"kind", OG_ACTION_ENDED}, {"conversation_id", id}}, OG_NOT_FOUND,
          "no conversation");
  refused("probe", {{"kind", OG_ACTION_ENDED}, {"thread_key", "CA999"}}, OG_NOT_FOUND,
          "thread_key");
  refused("probe", {{"kind", OG_ACTION_ENDED}}, OG_NOT_FOUND, "thread_key");

  // A resolved conversation is no live contact: its thread key finds nothing any more.
  std::promise<void> written;
  p.env.store->set_conversation_status(id, omnigate::store::ConversationStatus::resolved, "test",
                                       [&](auto) { written.set_value(); });
  written.get_future().wait();
  refused("probe", {{"kind", OG_ACTION_ENDED}, {"thread_key", "CA100"}}, OG_NOT_FOUND,
          "thread_key");
  CHECK(routing.count() == 0);  // nothing refused reached routing
}

TEST_CASE("conversation_action is OG_RETRY while the gateway has no routing to hand it to") {
  ProbeHost p;
  const auto id = inbound(p, "m1", "+14155550101");
  const auto out =
      post_json(p, "/channels/probe/action", {{"kind", OG_ACTION_ENDED}, {"conversation_id", id}});
  CHECK(out["status"] == OG_RETRY);
}

TEST_CASE("an action routing has not answered when the instance stops completes before destroy") {
  Routing routing;
  ProbeHost p(omnigate::test::probe_options(), two_probes(),
              [&](PluginHost& host) { routing.install(host); });
  const auto id = inbound(p, "m1", "+14155550101");
  const auto out =
      post_json(p, "/channels/probe/action",
                {{"kind", OG_ACTION_ENDED}, {"conversation_id", id}, {"done_key", "a1"}});
  REQUIRE(out["status"] == OG_OK);
  p.host.stop();
  CHECK(done_of(p, "a1") == json{{"status", OG_RETRY}, {"id", id}});
  routing.answer(0, {true, {}});  // too late: the instance is gone, nothing runs twice
  p.env.store->flush();
}

TEST_CASE("customer_lookup finds a customer by identity, normalised like ingest") {
  ProbeHost p;
  inbound(p, "m1", "+14155550101", "t1");
  inbound(p, "m2", "+14155550101", "t2");
  for (const char* spelled : {"+14155550101", "+1 415 555 0101"}) {
    INFO(spelled);
    const auto out =
        post_json(p, "/channels/probe/customer", {{"kind", "phone"}, {"address", spelled}});
    CHECK(out["status"] == OG_OK);
    CHECK(out["customer_id"].get<std::int64_t>() > 0);
    CHECK(out["display_name"] == "+14155550101");
    CHECK(out["tier"] == "C");
    CHECK(out["open_conversations"] == 2);
  }
  auto out =
      post_json(p, "/channels/probe/customer", {{"kind", "phone"}, {"address", "+14155550199"}});
  CHECK(out["status"] == OG_NOT_FOUND);
  out = post_json(p, "/channels/probe/customer", {{"kind", "email"}, {"address", "+14155550101"}});
  CHECK(out["status"] == OG_NOT_FOUND);
  out = post_json(p, "/channels/probe/customer", {{"kind", ""}, {"address", "+14155550101"}});
  CHECK(out["status"] == OG_PERMANENT);
}

TEST_CASE("an agent's command reaches the plugin that owns the conversation, with its answer") {
  using Kind = ChannelCommandOutcome::Kind;
  ProbeHost p;
  const auto id = inbound(p, "m1", "+14155550101", "CA100");

  auto o = command(p, id, "recording.pause", R"({"why":"card"})");
  CHECK(o.kind == Kind::done);
  const json seen = json::parse(p.get("/channels/probe/commands").body);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == json{{"conversation_id", id},
                        {"thread_key", "CA100"},
                        {"command", "recording.pause"},
                        {"data", {{"why", "card"}}},
                        {"agent_id", "alice"}});

  o = command(p, id, "call.gone");
  CHECK(o.kind == Kind::not_possible);
  CHECK(o.error == "the call has ended");
  o = command(p, id, "fax.send");
  CHECK(o.kind == Kind::invalid);
  CHECK(o.error == "unknown command fax.send");
  o = command(p, 987654, "recording.pause");
  CHECK(o.kind == Kind::unknown_conversation);

  p.host.stop();
  o = command(p, id, "recording.resume");
  CHECK(o.kind == Kind::not_possible);
  CHECK(o.error.find("not running") != std::string::npos);
}

TEST_CASE("a conversation notice carries the change's details to the plugin") {
  ProbeHost p;
  const auto id = inbound(p, "m1", "+14155550101");
  auto change = omnigate::store::conversation_change(
      omnigate::store::ConversationChange::Kind::transferred, id, "bob", "alice");
  change.detail_json = R"({"mode":"warm","by":"user:sam"})";
  p.host.conversation_changed(change);
  p.host.conversation_changed(omnigate::store::conversation_change(
      omnigate::store::ConversationChange::Kind::resolved, id));
  json notices;
  REQUIRE(omnigate::test::eventually([&] {
    notices = json::parse(p.get("/channels/probe/notices").body);
    return notices.size() == 2;
  }));
  CHECK(notices[0]["change"] == OG_CONVERSATION_TRANSFERRED);
  CHECK(notices[0]["detail"] == json{{"mode", "warm"}, {"by", "user:sam"}});
  CHECK(notices[1]["detail"].is_null());
}
