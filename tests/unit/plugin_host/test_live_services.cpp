// The ABI 2.1 host services through the real host and the probe plugin, called from a plugin
// thread: signal (checked, then handed to the gateway's listener — the agents' event stream)
// and channel_availability (answered by the gateway's routing snapshot, asked with the
// instance's channel kind and the plugin's skills).
#include "probe_host.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <mutex>
#include <tuple>

using nlohmann::json;
using omnigate::ChannelAvailability;
using omnigate::PluginHost;
using omnigate::SkillNeeds;
using omnigate::test::ProbeHost;

namespace {

struct Signalled {
  std::string instance;
  std::int64_t conversation_id;
  std::string kind, data_json;
  bool operator==(const Signalled&) const = default;
};

// What the gateway side of the hooks saw.
struct LiveSide {
  std::mutex mu;
  std::vector<Signalled> signals;
  std::vector<std::tuple<std::string, std::string, SkillNeeds>> queries;

  void install(PluginHost& host) {
    host.on_signal([this](const std::string& instance, std::int64_t id, const std::string& kind,
                          const std::string& data) {
      std::lock_guard lock(mu);
      signals.push_back({instance, id, kind, data});
    });
    host.answer_availability(
        [this](const std::string& instance, const std::string& kind, const SkillNeeds& skills) {
          std::lock_guard lock(mu);
          queries.emplace_back(instance, kind, skills);
          return ChannelAvailability{static_cast<int>(skills.size()), 1, 7, 1234};
        });
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

std::int64_t conversation_of(ProbeHost& p, const std::string& instance) {
  omnigate::store::ConversationFilter filter;
  filter.channel_instance = instance;
  const auto conversations = p.env.store->list_conversations(filter);
  REQUIRE(conversations.size() == 1);
  return conversations[0].id;
}

}  // namespace

TEST_CASE("a signal about one of the instance's conversations reaches the gateway's listener") {
  LiveSide live;
  ProbeHost p(omnigate::test::probe_options(), two_probes(),
              [&](PluginHost& host) { live.install(host); });
  REQUIRE(
      p.post("/channels/probe/inbound", {{"id", "m1"}, {"from", "+14155550101"}, {"text", "hi"}})
          .status == 200);
  const auto id = conversation_of(p, "probe");

  auto out = post_json(p, "/channels/probe/signal",
                       {{"conversation_id", id}, {"kind", "typing"}, {"data", {{"chars", 3}}}});
  CHECK(out["status"] == OG_OK);
  out =
      post_json(p, "/channels/probe/signal", {{"conversation_id", id}, {"kind", "stopped_typing"}});
  CHECK(out["status"] == OG_OK);
  {
    std::lock_guard lock(live.mu);
    const std::vector<Signalled> expected = {{"probe", id, "typing", R"({"chars":3})"},
                                             {"probe", id, "stopped_typing", ""}};
    CHECK(live.signals == expected);
  }

  SECTION("another instance's conversation, or none, is OG_NOT_FOUND") {
    out = post_json(p, "/channels/probe_private/signal",
                    {{"conversation_id", id}, {"kind", "typing"}});
    CHECK(out["status"] == OG_NOT_FOUND);
    out = post_json(p, "/channels/probe/signal", {{"conversation_id", 987654}, {"kind", "typing"}});
    CHECK(out["status"] == OG_NOT_FOUND);
  }
  SECTION("a bad kind or data_json is OG_PERMANENT, naming what is wrong") {
    for (const char* kind : {"", "Typing", "typing!", "a-b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
      out = post_json(p, "/channels/probe/signal", {{"conversation_id", id}, {"kind", kind}});
      INFO(kind);
      CHECK(out["status"] == OG_PERMANENT);
      CHECK(out["error"].get<std::string>().find("kind") != std::string::npos);
    }
    out = post_json(p, "/channels/probe/signal",
                    {{"conversation_id", id}, {"kind", "typing"}, {"data", json::array({1})}});
    CHECK(out["status"] == OG_PERMANENT);
    CHECK(out["error"].get<std::string>().find("data_json") != std::string::npos);
  }
  std::lock_guard lock(live.mu);
  CHECK(live.signals.size() == 2);  // nothing refused reached the listener
}

TEST_CASE("a signal about a conversation stored before this process ran is checked in the store") {
  LiveSide live;
  std::int64_t id = 0;
  {
    ProbeHost first(omnigate::test::probe_options(), two_probes());
    REQUIRE(first
                .post("/channels/probe/inbound",
                      {{"id", "m1"}, {"from", "+14155550101"}, {"text", "hi"}})
                .status == 200);
    id = conversation_of(first, "probe");
    // The same store under a new host: nothing of the first host's memory is left.
    PluginHost second(*first.env.executor, *first.env.store, first.env.metrics,
                      ProbeHost::with_attachments(omnigate::test::probe_options(), first.env));
    live.install(second);
    second.start(two_probes());
    omnigate::http::Router router;
    second.register_routes(router);
    const auto ask = [&](const std::string& instance) {
      const auto r =
          omnigate::test::call_route(router, "POST", "/channels/" + instance + "/signal",
                                     json{{"conversation_id", id}, {"kind", "typing"}}.dump());
      REQUIRE(r.has_value());
      return json::parse(r->body)["status"].get<int>();
    };
    CHECK(ask("probe") == OG_OK);
    CHECK(ask("probe_private") == OG_NOT_FOUND);
    second.stop();
  }
  std::lock_guard lock(live.mu);
  REQUIRE(live.signals.size() == 1);
  CHECK(live.signals[0].conversation_id == id);
}

TEST_CASE("channel_availability asks the gateway with the instance's kind and the skills") {
  LiveSide live;
  ProbeHost p(omnigate::test::probe_options(), two_probes(),
              [&](PluginHost& host) { live.install(host); });
  auto out = post_json(
      p, "/channels/probe/availability",
      {{"skills", json::array({json::array({"billing", 2}), json::array({"lang:en", 1})})}});
  CHECK(out["status"] == OG_OK);
  CHECK(out["agents_online"] == 2);
  CHECK(out["agents_free"] == 1);
  CHECK(out["queued"] == 7);
  CHECK(out["expected_wait_ms"] == 1234);
  {
    std::lock_guard lock(live.mu);
    REQUIRE(live.queries.size() == 1);
    const SkillNeeds skills = {{"billing", 2}, {"lang:en", 1}};
    CHECK(live.queries[0] == std::make_tuple(std::string("probe"), std::string("sms"), skills));
  }
  out = post_json(p, "/channels/probe/availability",
                  {{"skills", json::array({json::array({"billing", 9})})}});
  CHECK(out["status"] == OG_PERMANENT);
  CHECK(out["error"].get<std::string>().find("skills[0].min_level") != std::string::npos);
}

TEST_CASE("channel_availability is OG_RETRY while the gateway has no routing to ask") {
  ProbeHost p;
  const auto out = post_json(p, "/channels/probe/availability", json::object());
  CHECK(out["status"] == OG_RETRY);
}
