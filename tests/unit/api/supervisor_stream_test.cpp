// GET /api/v1/stream and GET /api/v1/queue on a real server (127.0.0.1, port 0) with the real
// SQLite store and routing engine; the client is Boost.Beast's WebSocket client, as a console's
// browser would speak it. The dispatcher's clock is driven to make SLA timers fire.
#include "api/supervisor_stream.hpp"
#include "api/agent_api.hpp"
#include "api/live_events.hpp"
#include "core/asio_executor.hpp"
#include "core/sha256.hpp"
#include "http/server.hpp"
#include "store_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;
using omnigate::testing::customer_writes;
using omnigate::testing::eventually;

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// The outbox needs a channel; nothing in these tests replies.
class UnusedChannel : public ChannelSender {
 public:
  void send(const store::OutboxItem&, std::function<void(SendOutcome)> done) override {
    done(SendOutcome{});
  }
};

// `kind`: the one channel kind the agent takes (capacity 0 for the other bundled ones).
store::Agent agent(std::string id, std::string team, const std::string& kind,
                   store::Presence presence) {
  store::Agent a;
  a.id = a.display_name = std::move(id);
  a.team = std::move(team);
  a.skills = {{kind, 3}};
  a.capacity = {{"sms", 0}, {"email", 0}, {"webchat", 0}, {"voice", 0}};
  a.capacity[kind] = kind == "sms" ? 5 : 8;
  a.presence = presence;
  return a;
}

constexpr store::UnixMs kCustomersWrite = 1763880000000;
constexpr store::UnixMs kHourMs = 3600 * 1000;

// A blocking socket read gives up after this: a hang guard, not a timing assertion.
void guard_reads(tcp::socket& s) {
  timeval tv{20, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

struct Gateway {
  // Declared before the store, so destroyed after it: the store's writer thread finishes (and
  // drops the completions still queued, some holding strands) while the executor exists.
  std::unique_ptr<AsioExecutor> executor = make_asio_executor(2);
  omnigate::testing::TempStore store;
  Metrics metrics;
  // The dispatcher's clock stands still unless a test moves it. It starts when the test
  // customers write (store_fixture's received_at): Sunday 2025-11-23 06:40 UTC.
  std::atomic<store::UnixMs> clock{kCustomersWrite};
  std::shared_ptr<api::LiveEvents> live = std::make_shared<api::LiveEvents>();
  UnusedChannel channel;
  std::unique_ptr<dispatch::RoutingDispatcher> dispatcher;
  std::unique_ptr<OutboxSender> outbox;
  std::unique_ptr<api::AgentApi> agent_api;
  std::unique_ptr<api::SupervisorStream> stream;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  std::uint16_t port = 0;

  // alice (support, sms) starts offline, bob (billing, e-mail only) online.
  explicit Gateway(config::ServerLimits limits = {},
                   std::chrono::milliseconds heartbeat = api::kStreamHeartbeatInterval) {
    executor->run();
    upsert(agent("alice", "support", "sms", store::Presence::offline));
    upsert(agent("bob", "billing", "email", store::Presence::online));
    user("sue", store::Role::supervisor, "");
    user("quinn", store::Role::qa, "");
    user("alice", store::Role::agent, "alice");
    dispatcher = std::make_unique<dispatch::RoutingDispatcher>(*store, *executor, metrics, "");
    dispatcher->publish_to(live);
    dispatcher->use_clock([this] { return clock.load(); });
    dispatcher->start();
    config::OutboxConfig outbox_options;
    outbox_options.poll_interval_ms = 3600 * 1000;
    outbox = std::make_unique<OutboxSender>(*store, channel, *executor, metrics, outbox_options);
    outbox->start();
    agent_api = std::make_unique<api::AgentApi>(
        *store, *dispatcher, *outbox, metrics,
        api::UploadOptions{store.attachments_dir(), config::ServerLimits{}.max_upload_bytes});
    agent_api->register_routes(router);
    stream =
        std::make_unique<api::SupervisorStream>(*store, *dispatcher, live, *executor, heartbeat);
    stream->register_routes(router);
    server = std::make_unique<http::HttpServer>(*executor, router, limits, metrics);
    port = server->listen("127.0.0.1", 0);
    server->start();
  }
  ~Gateway() {
    server->stop(std::chrono::milliseconds(200));
    outbox->stop();
    dispatcher->stop();
    store->flush();
    executor->stop();
  }

  void upsert(const store::Agent& a) { testing::add_agent(*store, a); }
  void user(const std::string& name, store::Role role, const std::string& agent_id) {
    testing::add_user(*store, name, role, agent_id);
  }
  store::Id inbound(const std::string& from) {
    const auto r = customer_writes(*store, "sms", from, "help", "SM" + from);
    dispatcher->on_inbound("sms", r, true);
    return r.conversation_id;
  }
  void presence(const std::string& agent_id, store::Presence p) {
    std::promise<std::string> done;
    dispatcher->set_presence(agent_id, p, [&done](std::string e) { done.set_value(e); });
    REQUIRE(done.get_future().get().empty());
  }

  struct HttpResult {
    int status = 0;
    json body;
  };
  HttpResult request(bhttp::verb verb, const std::string& target, const std::string& who) {
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    guard_reads(socket);
    bhttp::request<bhttp::string_body> req(verb, target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    if (!who.empty()) req.set(bhttp::field::authorization, "Bearer " + who + "-token");
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return {static_cast<int>(res.result_int()), json::parse(res.body())};
  }
};

// One stream connection, as a console opens it.
class StreamClient {
 public:
  // `headers` go on the upgrade request; status() is 101 when the stream was opened.
  StreamClient(std::uint16_t port, const std::string& target,
               std::vector<std::pair<std::string, std::string>> headers, int receive_buffer = 0)
      : ws_(ioc_) {
    auto& socket = ws_.next_layer();
    socket.open(tcp::v4());
    // A small window makes a client that does not read fill the server's queue sooner.
    if (receive_buffer > 0)
      socket.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    guard_reads(socket);
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    beast::error_code ec;
    ws_.handshake(response_, "127.0.0.1", target, ec);
  }
  static std::vector<std::pair<std::string, std::string>> bearer(const std::string& who) {
    return {{"Authorization", "Bearer " + who + "-token"}};
  }

  int status() const { return static_cast<int>(response_.result_int()); }
  const websocket::response_type& response() const { return response_; }

  // The next message that is not a heartbeat.
  json next() {
    for (;;) {
      beast::flat_buffer buffer;
      ws_.read(buffer);
      json j = json::parse(beast::buffers_to_string(buffer.data()));
      if (j["type"] != "heartbeat") return j;
    }
  }
  // Skips messages until one of `type` (about `conversation_id`, when given) arrives.
  json next_of(const std::string& type, store::Id conversation_id = 0) {
    for (;;) {
      json j = next();
      if (j["type"] == type &&
          (conversation_id == 0 || j.value("conversation_id", store::Id{0}) == conversation_id))
        return j;
    }
  }
  // Reads until the server closes; the close code it gave.
  int read_until_closed() {
    try {
      for (;;) {
        beast::flat_buffer buffer;
        ws_.read(buffer);
      }
    } catch (const beast::system_error& e) {
      if (e.code() != websocket::error::closed) return -1;
    }
    return ws_.reason().code;
  }

 private:
  boost::asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  websocket::response_type response_;
};

// The seq / prev_seq chain a client checks: every message continues the last one it got.
struct SeqChain {
  std::uint64_t last = 0;
  void follow(const json& message) {
    INFO(message.dump());
    CHECK(message["prev_seq"] == last);
    CHECK(message["seq"].get<std::uint64_t>() > last);
    last = message["seq"];
  }
};

}  // namespace

TEST_CASE(
    "the stream opens with a snapshot, then a conversation is queued and assigned in seq "
    "order",
    "[stream]") {
  Gateway g;
  StreamClient c(g.port, "/api/v1/stream", StreamClient::bearer("sue"));
  REQUIRE(c.status() == 101);
  const json snapshot = c.next();
  REQUIRE(snapshot["type"] == "snapshot");
  CHECK(snapshot["queue"]["queued"].empty());
  CHECK(snapshot["queue"]["aggregates"]["count"] == 0);
  REQUIRE(snapshot["agents"].size() == 2);
  CHECK(snapshot["agents"][0]["id"] == "alice");
  CHECK(snapshot["agents"][0]["routing_presence"] == "offline");
  SeqChain chain{snapshot["seq"]};

  const auto id = g.inbound("+14155550100");
  const json queued = c.next();
  CHECK(queued["type"] == "conversation.queued");
  CHECK(queued["conversation_id"] == id);
  CHECK(queued["tier"] == "C");
  CHECK(queued["priority"] == 4);
  CHECK(queued["channel_kind"] == "sms");
  CHECK(queued["state"] == "queued");
  CHECK(queued["waiting"]["sla_state"] == "ok");
  // C tier, P4: 4 h on the 5x8 calendar from Sunday 06:40 is Monday 13:00; what is left is 4
  // service hours, though 30 h 20 min on the wall clock.
  CHECK(queued["waiting"]["first_response_due"] == kCustomersWrite + 30 * kHourMs + 20 * 60000);
  CHECK(queued["waiting"]["first_response_ms_left"] == 4 * kHourMs);
  chain.follow(queued);
  // The customer's message itself, once stored: nobody holds the conversation yet.
  const json received = c.next();
  CHECK(received["type"] == "message.received");
  CHECK(received["conversation_id"] == id);
  CHECK(received["message_id"].get<store::Id>() > 0);
  CHECK(received["state"] == "queued");
  CHECK(received["agent"].is_null());
  chain.follow(received);

  g.presence("alice", store::Presence::online);
  const json online = c.next();
  CHECK(online["type"] == "agent.presence");
  CHECK(online["agent"] == "alice");
  CHECK(online["agent_team"] == "support");
  CHECK(online["presence"] == "online");
  chain.follow(online);
  const json assigned = c.next();
  CHECK(assigned["type"] == "conversation.assigned");
  CHECK(assigned["conversation_id"] == id);
  CHECK(assigned["agent"] == "alice");
  CHECK(assigned["state"] == "assigned");
  CHECK(assigned["waiting"].is_null());
  CHECK_FALSE(assigned["reason"].get<std::string>().empty());
  chain.follow(assigned);

  // A late subscriber's snapshot already holds the assignment: alice carries the conversation.
  StreamClient late(g.port, "/api/v1/stream", StreamClient::bearer("sue"));
  const json now = late.next();
  CHECK(now["seq"] == assigned["seq"]);
  CHECK(now["queue"]["queued"].empty());
  CHECK(now["agents"][0]["load"] == json{{"sms", 1}});
}

TEST_CASE("SLA warnings and breaches are streamed when the dispatcher's clock passes them",
          "[stream]") {
  Gateway g;
  StreamClient c(g.port, "/api/v1/stream", StreamClient::bearer("sue"));
  REQUIRE(c.next()["type"] == "snapshot");
  const auto id = g.inbound("+14155550101");
  const json queued = c.next_of("conversation.queued", id);
  const store::UnixMs due = queued["waiting"]["first_response_due"];

  // Nobody can take it (alice is offline): move the clock past the deadline.
  g.clock = due + 1000;
  const json warning = c.next_of("sla.first_response_warning", id);
  CHECK(warning["due_at"].get<store::UnixMs>() < due);
  const json breach = c.next_of("sla.first_response_breach", id);
  CHECK(breach["due_at"] == due);
  CHECK(breach["state"] == "queued");
  CHECK(breach["tier"] == "C");
  CHECK_FALSE(breach["target"].get<std::string>().empty());
  CHECK(breach["seq"].get<std::uint64_t>() > warning["seq"].get<std::uint64_t>());
  CHECK(breach["waiting"]["sla_state"] == "breached");

  const auto q = g.request(bhttp::verb::get, "/api/v1/queue", "sue");
  REQUIRE(q.status == 200);
  REQUIRE(q.body["queued"].size() == 1);
  CHECK(q.body["queued"][0]["sla_state"] == "breached");
  CHECK(q.body["queued"][0]["first_response_ms_left"].get<std::int64_t>() <= 0);
  CHECK(q.body["aggregates"]["breached"] == 1);
  CHECK(q.body["counts"]["queued"] == 1);
}

TEST_CASE("a reclassified conversation is streamed", "[stream]") {
  Gateway g;
  StreamClient c(g.port, "/api/v1/stream", StreamClient::bearer("sue"));
  REQUIRE(c.next()["type"] == "snapshot");
  const auto id = g.inbound("+14155550102");
  const json queued = c.next_of("conversation.queued", id);

  std::promise<std::string> updated;
  g.dispatcher->set_priority(id, 1, "hospital outage", "user:sue",
                             [&updated](std::string e) { updated.set_value(e); });
  REQUIRE(updated.get_future().get().empty());
  const json changed = c.next_of("conversation.priority_changed", id);
  CHECK(changed["priority"] == 1);
  CHECK(changed["state"] == "queued");
  CHECK(changed["waiting"]["priority"] == 1);
  CHECK(changed["waiting"]["first_response_due"].get<store::UnixMs>() <
        queued["waiting"]["first_response_due"].get<store::UnixMs>());
  CHECK_THAT(changed["reason"].get<std::string>(), Catch::Contains("P4 to P1 by user:sue"));
}

TEST_CASE("the stream handshake answers 401 without credentials and 403 for qa", "[stream]") {
  Gateway g;
  StreamClient anonymous(g.port, "/api/v1/stream", {});
  CHECK(anonymous.status() == 401);
  CHECK(anonymous.response()[bhttp::field::www_authenticate] == "Bearer");
  StreamClient forged(g.port, "/api/v1/stream", StreamClient::bearer("mallory"));
  CHECK(forged.status() == 401);
  StreamClient qa(g.port, "/api/v1/stream", StreamClient::bearer("quinn"));
  CHECK(qa.status() == 403);
  StreamClient bad_filter(g.port, "/api/v1/stream?tier=Z", StreamClient::bearer("sue"));
  CHECK(bad_filter.status() == 400);
  CHECK(g.live->subscriber_count() == 0);
}

TEST_CASE("a browser opens the stream with a one-use ticket", "[stream]") {
  Gateway g;
  CHECK(g.request(bhttp::verb::post, "/api/v1/stream/ticket", "quinn").status == 403);
  const auto issued = g.request(bhttp::verb::post, "/api/v1/stream/ticket", "sue");
  REQUIRE(issued.status == 201);
  const std::string url = issued.body["url"];
  StreamClient first(g.port, url, {});
  REQUIRE(first.status() == 101);
  CHECK(first.next()["type"] == "snapshot");
  StreamClient replay(g.port, url, {});
  CHECK(replay.status() == 401);
}

TEST_CASE("a user removed or changed by another process loses their streams at a heartbeat",
          "[stream]") {
  // What `omnigate users remove` does beside a running gateway: the store changes, nobody
  // tells the gateway. The heartbeat's check finds it.
  Gateway g({}, std::chrono::milliseconds(20));
  g.user("sid", store::Role::supervisor, "");
  StreamClient sue(g.port, "/api/v1/stream", StreamClient::bearer("sue"));
  StreamClient alice(g.port, "/api/v1/stream", StreamClient::bearer("alice"));
  StreamClient sid(g.port, "/api/v1/stream", StreamClient::bearer("sid"));
  REQUIRE(sue.status() == 101);
  REQUIRE(alice.status() == 101);
  REQUIRE(sid.status() == 101);
  const auto ticket = g.request(bhttp::verb::post, "/api/v1/stream/ticket", "sue").body["url"];

  committed<store::Nothing>([&](auto done) { g.store->delete_user("sue", done); });
  store::User promoted{"alice", {store::Role::supervisor}, std::string("alice")};
  committed<store::Nothing>([&](auto done) { g.store->upsert_user(promoted, "", done); });

  CHECK(sue.read_until_closed() == api::kStreamClosedRevoked);
  CHECK(alice.read_until_closed() == api::kStreamClosedRoleChanged);
  StreamClient late(g.port, ticket.get<std::string>(), {});
  CHECK(late.status() == 401);
  // sid's stream is untouched: it still gets events.
  g.presence("alice", store::Presence::online);
  CHECK(sid.next_of("agent.presence")["agent"] == "alice");
}

TEST_CASE("a team filter passes that team's agents and conversations open to it", "[stream]") {
  Gateway g;
  StreamClient support(g.port, "/api/v1/stream?team=support", StreamClient::bearer("sue"));
  StreamClient billing(g.port, "/api/v1/stream?team=billing", StreamClient::bearer("sue"));
  const json support_snapshot = support.next();
  const json billing_snapshot = billing.next();
  REQUIRE(support_snapshot["agents"].size() == 1);
  CHECK(support_snapshot["agents"][0]["id"] == "alice");
  REQUIRE(billing_snapshot["agents"].size() == 1);
  CHECK(billing_snapshot["agents"][0]["id"] == "bob");

  g.presence("alice", store::Presence::online);
  g.presence("bob", store::Presence::away);
  const auto id = g.inbound("+14155550102");  // open to any team: both see it

  const json alice = support.next();
  CHECK(alice["agent"] == "alice");
  const json bob = billing.next();
  CHECK(bob["agent"] == "bob");
  CHECK(bob["prev_seq"] == billing_snapshot["seq"]);  // alice's event was not for billing
  CHECK(support.next()["type"] == "conversation.queued");
  CHECK(billing.next()["type"] == "conversation.queued");
  CHECK(support.next_of("conversation.assigned", id)["agent"] == "alice");
}

TEST_CASE("an agent's stream carries only that agent's own events", "[stream]") {
  Gateway g;
  StreamClient mine(g.port, "/api/v1/stream", StreamClient::bearer("alice"));
  REQUIRE(mine.status() == 101);
  const json snapshot = mine.next();
  REQUIRE(snapshot["agents"].size() == 1);
  CHECK(snapshot["agents"][0]["id"] == "alice");
  g.presence("bob", store::Presence::away);
  const auto id = g.inbound("+14155550103");  // queued: no agent concerned yet
  g.presence("alice", store::Presence::online);
  const json first = mine.next();
  CHECK(first["type"] == "agent.presence");
  CHECK(first["agent"] == "alice");
  const json assigned = mine.next();
  CHECK(assigned["type"] == "conversation.assigned");
  CHECK(assigned["conversation_id"] == id);
}

TEST_CASE("a client that does not read is disconnected and the others carry on", "[stream]") {
  config::ServerLimits limits;
  limits.max_ws_queued_messages = 8;
  Gateway g(limits);
  StreamClient slow(g.port, "/api/v1/stream?team=support", StreamClient::bearer("sue"), 4096);
  StreamClient healthy(g.port, "/api/v1/stream?team=billing", StreamClient::bearer("sue"));
  REQUIRE(slow.status() == 101);
  REQUIRE(healthy.next()["type"] == "snapshot");
  REQUIRE(eventually([&] { return g.live->subscriber_count() == 2; }));

  // Events for the support team only, far more than the socket buffers and the queue hold.
  dispatch::LiveEvent flood;
  flood.type = "conversation.queued";
  flood.conversation_id = 1;
  flood.team = "support";
  flood.reason = std::string(16 * 1024, 'x');
  for (int i = 0; i < 5000 && g.live->subscriber_count() == 2; ++i) g.live->publish(flood);
  CHECK(g.live->subscriber_count() == 1);
  CHECK(slow.read_until_closed() == 1008);

  // The gateway still answers and still streams to the client that reads.
  CHECK(g.request(bhttp::verb::get, "/api/v1/queue?team=billing", "sue").status == 200);
  g.presence("bob", store::Presence::away);
  CHECK(healthy.next_of("agent.presence")["agent"] == "bob");
}

TEST_CASE("the queue view rejects invalid filters naming the parameter", "[stream]") {
  Gateway g;
  const auto bad = g.request(bhttp::verb::get, "/api/v1/queue?priority=9", "sue");
  CHECK(bad.status == 400);
  CHECK(bad.body["field"] == "priority");
  CHECK(g.request(bhttp::verb::get, "/api/v1/queue", "alice").status == 403);
}
