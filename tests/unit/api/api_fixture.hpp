// The /api/v1 routes as the API tests drive them: the real Router with a real SQLite store, the
// real routing engine behind RoutingDispatcher (under a routing policy given as config JSON) and
// a real OutboxSender whose channel is a recording double.
#pragma once

#include "api/agent_api.hpp"

#include "core/asio_executor.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>

namespace omnigate::testing {

using nlohmann::json;

class RecordingChannel : public ChannelSender {
 public:
  void send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) override {
    {
      std::lock_guard lock(mu_);
      sent_.push_back(item);
    }
    SendOutcome o;
    o.kind = SendOutcome::Kind::sent;
    o.provider_message_id = "SM" + std::to_string(item.id);
    done(o);
  }
  bool sent(store::Id outbox_id) { return sent_item(outbox_id).has_value(); }
  // The outbox row as the channel got it (attachments included).
  std::optional<store::OutboxItem> sent_item(store::Id outbox_id) {
    std::lock_guard lock(mu_);
    const auto it = std::find_if(sent_.begin(), sent_.end(),
                                 [&](const store::OutboxItem& i) { return i.id == outbox_id; });
    if (it == sent_.end()) return std::nullopt;
    return *it;
  }

 private:
  std::mutex mu_;
  std::vector<store::OutboxItem> sent_;
};

inline store::Agent agent(std::string id, std::vector<store::SkillLevel> skills,
                          std::map<std::string, int> capacity, store::Presence presence) {
  store::Agent a;
  a.id = a.display_name = std::move(id);
  a.team = "support";
  a.skills = std::move(skills);
  a.capacity = std::move(capacity);
  a.presence = presence;
  return a;
}

struct Api {
  static constexpr std::uint64_t kMaxUploadBytes = 1024 * 1024;
  // Declared before the store, so destroyed after it: the store's writer thread finishes (and
  // drops the completions still queued, some holding strands) while the executor exists.
  std::unique_ptr<AsioExecutor> executor = make_asio_executor(2);
  omnigate::testing::TempStore store;
  Metrics metrics;
  RecordingChannel channel;
  std::unique_ptr<dispatch::RoutingDispatcher> dispatcher;
  std::unique_ptr<OutboxSender> outbox;
  std::unique_ptr<api::AgentApi> agent_api;
  http::Router router;
  // The dispatcher's clock is the wall clock plus this: a test moves it forward to make SLA and
  // complaint timers fall due (the dispatcher's tick looks every second).
  std::atomic<store::UnixMs> time_passed{0};

  // Agents: alice (sms, webchat, email), bob (email only: capacity 0 for the other bundled
  // kinds, since a channel requires no skill); users with one token per role.
  // routing_policy_json: the config's [routing] table as JSON ("" = the defaults).
  explicit Api(store::Presence alice_presence = store::Presence::online,
               std::map<std::string, int> alice_capacity = {{"sms", 5},
                                                            {"webchat", 3},
                                                            {"email", 8}},
               const std::string& routing_policy_json = "") {
    executor->run();
    upsert(
        agent("alice", {{"sms", 3}, {"webchat", 2}, {"email", 2}}, alice_capacity, alice_presence));
    upsert(agent("bob", {{"email", 4}}, {{"sms", 0}, {"webchat", 0}, {"voice", 0}, {"email", 8}},
                 store::Presence::online));
    user("alice", store::Role::agent, "alice");
    user("bob", store::Role::agent, "bob");
    user("sue", store::Role::supervisor, "");
    user("quinn", store::Role::qa, "");
    user("ada", store::Role::admin, "");
    dispatcher = std::make_unique<dispatch::RoutingDispatcher>(*store, *executor, metrics,
                                                               routing_policy_json);
    dispatcher->use_clock([this] { return now_ms() + time_passed.load(); });
    dispatcher->start();
    config::OutboxConfig outbox_options;
    outbox_options.poll_interval_ms = 3600 * 1000;  // only wake() can make it send in a test
    outbox = std::make_unique<OutboxSender>(*store, channel, *executor, metrics, outbox_options);
    outbox->start();
    agent_api = std::make_unique<api::AgentApi>(
        *store, *dispatcher, *outbox, metrics,
        api::UploadOptions{store.attachments_dir(), kMaxUploadBytes});
    agent_api->register_routes(router);
  }
  ~Api() {
    outbox->stop();
    dispatcher->stop();
    store->flush();
    executor->stop();
  }

  void upsert(const store::Agent& a) { testing::add_agent(*store, a); }
  void user(const std::string& name, store::Role role, const std::string& agent_id) {
    testing::add_user(*store, name, role, agent_id);
  }

  struct Result {
    int status = 0;
    json body;
    http::HeaderList headers;
  };
  // `who` is a user name ("" = no Authorization header); its token is "<who>-token".
  Result call(const std::string& method, const std::string& target, const std::string& who,
              const std::string& body = "", http::HeaderList extra = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    auto m = router.match(method, req.path);
    REQUIRE(m.handler != nullptr);
    req.params = m.params;
    if (!who.empty()) req.headers.emplace_back("Authorization", "Bearer " + who + "-token");
    for (auto& h : extra) req.headers.push_back(h);
    req.body = body;
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    auto r = f.get();
    return {r.status, r.body.empty() ? json() : json::parse(r.body), r.headers};  // 204: none
  }

  // A customer writes; the dispatcher hears about it as the plugin host would tell it.
  store::Id inbound(const std::string& kind, const std::string& from) {
    const auto r = customer_writes(*store, kind, from, "help please", kind + "-" + from);
    dispatcher->on_inbound(kind, r, true);
    return r.conversation_id;
  }
  std::optional<std::string> assigned(store::Id id) {
    return store->get_conversation(id)->assigned_agent;
  }
  // Everything the dispatcher was told so far is decided and committed.
  void settle(store::Id any_conversation) {
    call("GET", "/api/v1/conversations/" + std::to_string(any_conversation) + "/explain", "sue");
    store->flush();
  }
  std::string path(store::Id id, const std::string& rest = "") {
    return "/api/v1/conversations/" + std::to_string(id) + rest;
  }
};

}  // namespace omnigate::testing
