#include "server_fixture.hpp"
#include "test_client.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <mutex>

using namespace omnigate;
using namespace omnigate::test;
using namespace std::chrono_literals;

namespace {

// An echo route that remembers its connections by id, as a plugin host would.
struct EchoRoute {
  std::mutex mu;
  std::map<uint64_t, std::shared_ptr<http::WsConnection>> connections;
  std::promise<uint64_t> closed;
  std::string last_session;

  http::WsHandler handler() {
    http::WsHandler h;
    h.on_open = [this](const http::Request& req, std::shared_ptr<http::WsConnection> conn) {
      if (req.query_param("deny")) return false;
      std::lock_guard lock(mu);
      last_session = req.params.at("session");
      connections[conn->id()] = conn;
      return true;
    };
    h.on_message = [this](uint64_t id, std::string data, bool is_text) {
      std::lock_guard lock(mu);
      connections.at(id)->send("echo:" + data, is_text);
    };
    h.on_close = [this](uint64_t id) {
      std::lock_guard lock(mu);
      connections.erase(id);
      closed.set_value(id);
    };
    return h;
  }
};

// A server with an EchoRoute at /ws/{session}, started with `limits`. The route is declared
// first so it outlives the server, like every route owner must.
struct EchoServer {
  EchoRoute echo;
  ServerFixture f;
  explicit EchoServer(config::ServerLimits limits = {}) {
    f.router.add_ws("/ws/{session}", kAnyone, echo.handler());
    f.start(limits);
  }
};

}  // namespace

TEST_CASE("websocket messages are echoed through WsConnection::send") {
  EchoServer s;
  TestConnection c(s.f.port);
  auto handshake = c.ws_handshake("/ws/s1");
  REQUIRE(handshake);
  REQUIRE(handshake->status == 101);
  CHECK(s.echo.last_session == "s1");
  c.ws_send(1, "hello");
  auto frame = c.ws_read();
  REQUIRE(frame);
  CHECK(frame->opcode == 1);
  CHECK(frame->payload == "echo:hello");
  c.ws_send(2, std::string("\x00\x01", 2));
  frame = c.ws_read();
  REQUIRE(frame);
  CHECK(frame->opcode == 2);
  CHECK(frame->payload == std::string("echo:\x00\x01", 7));

  c.ws_send(8, std::string("\x03\xe8", 2));  // client closes (1000)
  frame = c.ws_read();                       // the server answers the close handshake
  REQUIRE(frame);
  CHECK(frame->close_code() == 1000);
  c.close();
  auto closed = s.echo.closed.get_future();
  REQUIRE(closed.wait_for(10s) == std::future_status::ready);
}

TEST_CASE("a websocket message above max_ws_message_bytes closes with 1009") {
  config::ServerLimits limits;
  limits.max_ws_message_bytes = 1024;
  EchoServer s(limits);
  TestConnection c(s.f.port);
  REQUIRE(c.ws_handshake("/ws/s1")->status == 101);
  c.ws_send(1, std::string(4096, 'x'));
  auto frame = c.ws_read();
  REQUIRE(frame);
  CHECK(frame->opcode == 8);
  CHECK(frame->close_code() == 1009);
}

TEST_CASE("on_open returning false refuses the upgrade with 403") {
  EchoServer s;
  TestConnection c(s.f.port);
  auto r = c.ws_handshake("/ws/s1?deny=1");
  REQUIRE(r);
  CHECK(r->status == 403);
}

TEST_CASE("an upgrade on a path without a websocket route is 404") {
  ServerFixture f;
  f.start();
  TestConnection c(f.port);
  auto r = c.ws_handshake("/nowhere");
  REQUIRE(r);
  CHECK(r->status == 404);
}

TEST_CASE("a client that does not read while the queue overflows is closed with 1008") {
  ServerFixture f;
  std::promise<std::shared_ptr<http::WsConnection>> opened;
  http::WsHandler h;
  h.on_open = [&](const http::Request&, std::shared_ptr<http::WsConnection> conn) {
    opened.set_value(conn);
    return true;
  };
  f.router.add_ws("/ws", kAnyone, h);
  config::ServerLimits limits;
  limits.max_ws_queued_messages = 4;
  f.start(limits);
  TestConnection c(f.port);
  REQUIRE(c.ws_handshake("/ws")->status == 101);
  auto conn = opened.get_future().get();
  const std::string big(60000, 'm');
  for (int i = 0; i < 1000 && conn->send(big, true); ++i) {
  }
  // Read past the messages that made it out; the last frame is the policy close.
  std::optional<WsFrame> frame;
  do {
    frame = c.ws_read();
  } while (frame && frame->opcode != 8);
  REQUIRE(frame);
  CHECK(frame->close_code() == 1008);
  CHECK_FALSE(conn->send("after close", true));
}
