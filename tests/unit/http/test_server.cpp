#include "server_fixture.hpp"
#include "test_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

using namespace omnigate;
using namespace omnigate::test;
using namespace std::chrono_literals;

namespace {

// A server whose one route answers GET / with 200 "{}", started with `limits`.
struct OkAtRoot : ServerFixture {
  explicit OkAtRoot(config::ServerLimits limits = {}) {
    router.add("GET", "/", kAnyone, reply_with(200, "{}"));
    start(limits);
  }
};

// A server whose POST /echo answers with the request's body.
struct EchoServer : ServerFixture {
  EchoServer() {
    router.add("POST", "/echo", kAnyone, [](const http::Request& req, http::Reply reply) {
      http::Response r;
      r.body = req.body;
      reply(std::move(r));
    });
    start();
  }
};

}  // namespace

TEST_CASE("a routed request gets the handler's reply with request id and params") {
  ServerFixture f;
  f.router.add("GET", "/items/{id}", kAnyone, [](const http::Request& req, http::Reply reply) {
    http::Response r;
    r.content_type = "text/plain";
    r.body = "item " + req.params.at("id") + " q=" + req.query_param("q").value_or("-");
    r.headers.emplace_back("X-Extra", "yes");
    reply(std::move(r));
  });
  f.start();
  auto r = request(f.port, "GET", "/items/7?q=a%20b");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "item 7 q=a b");
  CHECK(r->headers["content-type"] == "text/plain");
  CHECK(r->headers["x-extra"] == "yes");
  CHECK_FALSE(r->headers["x-request-id"].empty());
}

TEST_CASE("unknown paths are 404 JSON, other methods 405 with Allow") {
  ServerFixture f;
  f.router.add("GET", "/thing", kAnyone, reply_with(200, "{}"));
  f.router.add("DELETE", "/thing", kAnyone, reply_with(204, ""));
  f.start();
  auto missing = request(f.port, "GET", "/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->headers["content-type"] == "application/json");
  CHECK(missing->body.find("\"error\":\"not_found\"") != std::string::npos);
  auto wrong = request(f.port, "POST", "/thing", "x");
  REQUIRE(wrong);
  CHECK(wrong->status == 405);
  CHECK(wrong->headers["allow"] == "GET, DELETE");
}

TEST_CASE("keep-alive serves several requests on one connection with distinct ids") {
  EchoServer f;
  TestConnection c(f.port);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none");
  auto first = c.read_response();
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo");
  auto second = c.read_response();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body == "one");
  CHECK(second->body == "two");
  CHECK(first->headers["x-request-id"] != second->headers["x-request-id"]);
}

TEST_CASE("requests sent back to back in one write are answered in order") {
  EchoServer f;
  TestConnection c(f.port);
  c.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nthree");
  auto first = c.read_response();
  auto second = c.read_response();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body == "one");
  CHECK(second->body == "three");
}

TEST_CASE("a request whose header and body arrive in pieces is read whole") {
  EchoServer f;
  TestConnection c(f.port);
  c.send("POST /echo HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.send("st: x\r\nContent-Length: 11\r\n\r\nhello");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.send(" world");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "hello world");
}

TEST_CASE(
    "a reply larger than the socket takes at once arrives whole, and the connection goes on") {
  ServerFixture f;
  f.router.add("GET", "/big", kAnyone, [](const http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = "application/octet-stream";
    r.body.resize(8 << 20);
    for (std::size_t i = 0; i < r.body.size(); ++i) r.body[i] = static_cast<char>('a' + i % 26);
    reply(std::move(r));
  });
  f.router.add("GET", "/small", kAnyone, [](const http::Request&, http::Reply reply) {
    http::Response r;
    r.body = "after";
    reply(std::move(r));
  });
  f.start();
  TestConnection c(f.port);
  c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
  auto big = c.read_response();
  REQUIRE(big);
  REQUIRE(big->body.size() == std::size_t{8 << 20});
  bool intact = true;
  for (std::size_t i = 0; i < big->body.size(); ++i)
    intact = intact && big->body[i] == static_cast<char>('a' + i % 26);
  CHECK(intact);
  auto small = c.read_response();
  REQUIRE(small);
  CHECK(small->body == "after");
}

TEST_CASE("a chunked request body is assembled") {
  EchoServer f;
  TestConnection c(f.port);
  c.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "hello world");
}

TEST_CASE("a reply from another thread, later, reaches the client; a second call is ignored") {
  ServerFixture f;
  std::vector<std::thread> threads;
  f.router.add("POST", "/slow", kAnyone, [&](const http::Request& req, http::Reply reply) {
    const std::string body = req.body;  // the Request is valid until reply
    threads.emplace_back([reply, body] {
      std::this_thread::sleep_for(50ms);
      http::Response r;
      r.status = 202;
      r.body = "committed " + body;
      reply(r);
      r.body = "second reply";
      reply(r);
    });
  });
  f.router.add("GET", "/fast", kAnyone, reply_with(200, "fast"));
  f.start();
  TestConnection c(f.port);
  c.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nm1");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(r->body == "committed m1");
  c.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  auto next = c.read_response();
  REQUIRE(next);
  CHECK(next->body == "fast");  // not the ignored second reply
  for (auto& t : threads) t.join();
}

TEST_CASE("a handler that drops its Reply unanswered closes the connection") {
  ServerFixture f;
  f.router.add("GET", "/drop", kAnyone, [](const http::Request&, http::Reply) {});
  f.start();
  TestConnection c(f.port);
  c.send("GET /drop HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_FALSE(c.read_response().has_value());
}

TEST_CASE("a handler that throws gives 500") {
  ServerFixture f;
  f.router.add("GET", "/boom", kAnyone,
               [](const http::Request&, http::Reply) { throw std::runtime_error("boom"); });
  f.start();
  auto r = request(f.port, "GET", "/boom");
  REQUIRE(r);
  CHECK(r->status == 500);
}

TEST_CASE("a Content-Length above max_body_bytes is 413 before the body is read") {
  ServerFixture f;
  bool called = false;
  f.router.add("POST", "/upload", kAnyone, [&](const http::Request&, http::Reply reply) {
    called = true;
    reply({});
  });
  config::ServerLimits limits;
  limits.max_body_bytes = 1024;
  f.start(limits);
  TestConnection c(f.port);
  c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(r->headers["connection"] == "close");
  CHECK_FALSE(called);
}

TEST_CASE("a chunked body growing above max_body_bytes is 413") {
  ServerFixture f;
  f.router.add("POST", "/upload", kAnyone, reply_with(200, "{}"));
  config::ServerLimits limits;
  limits.max_body_bytes = 1024;
  f.start(limits);
  TestConnection c(f.port);
  const std::string chunk(800, 'a');
  c.send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 413);
}

TEST_CASE("headers above max_header_bytes are 431") {
  config::ServerLimits limits;
  limits.max_header_bytes = 2048;
  OkAtRoot f(limits);
  TestConnection c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 431);
}

TEST_CASE("a client that never finishes its request gets 408") {
  config::ServerLimits limits;
  limits.request_timeout_ms = 150;
  OkAtRoot f(limits);
  TestConnection c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: x\r\n");  // no blank line: the request never ends
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 408);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout_ms") {
  config::ServerLimits limits;
  limits.idle_timeout_ms = 100;
  OkAtRoot f(limits);
  TestConnection c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(c.read_response());
  CHECK(c.peer_closed());
}

TEST_CASE("a malformed request is 400") {
  ServerFixture f;
  f.start();
  TestConnection c(f.port);
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 400);
}

TEST_CASE("connections above max_connections get 503") {
  config::ServerLimits limits;
  limits.max_connections = 1;
  OkAtRoot f(limits);
  TestConnection first(f.port);
  first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(first.read_response());  // the first connection is open and served
  auto second = request(f.port, "GET", "/");
  REQUIRE(second);
  CHECK(second->status == 503);
}

TEST_CASE("requests are counted per route and status in the metrics") {
  ServerFixture f;
  f.router.add("GET", "/items/{id}", kAnyone, reply_with(200, "{}"));
  f.start();
  REQUIRE(request(f.port, "GET", "/items/1"));
  REQUIRE(request(f.port, "GET", "/items/2"));
  REQUIRE(request(f.port, "GET", "/missing"));
  const std::string text = f.metrics.render();
  CHECK(text.find("omnigate_http_requests_total{route=\"/items/{id}\",status=\"200\"} 2") !=
        std::string::npos);
  CHECK(text.find("omnigate_http_requests_total{route=\"unmatched\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(text.find("omnigate_http_request_duration_seconds_count{route=\"/items/{id}\"} 2") !=
        std::string::npos);
  CHECK(text.find("# TYPE omnigate_http_connections gauge") != std::string::npos);
}

TEST_CASE("stop() lets an in-flight reply finish and refuses new connections") {
  ServerFixture f;
  std::thread replier;
  std::promise<void> handling;
  f.router.add("GET", "/slow", kAnyone, [&](const http::Request&, http::Reply reply) {
    handling.set_value();
    replier = std::thread([reply] {
      std::this_thread::sleep_for(100ms);
      reply(http::Response{200, "text/plain", "done", {}});
    });
  });
  f.start();
  TestConnection c(f.port);
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(handling.get_future().wait_for(10s) == std::future_status::ready);
  f.server->stop(std::chrono::seconds(5));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "done");
  CHECK(r->headers["connection"] == "close");
  CHECK_THROWS(TestConnection(f.port));
  replier.join();
}

TEST_CASE("stop() closes idle keep-alive connections") {
  OkAtRoot f;
  TestConnection c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(c.read_response());
  f.server->stop(std::chrono::seconds(5));
  CHECK(c.peer_closed());
}

TEST_CASE("a reply the wire cannot carry is 500, and the server goes on serving") {
  ServerFixture f;
  f.router.add("GET", "/no-content-with-body", kAnyone, reply_with(204, "{\"oops\":1}"));
  f.router.add("GET", "/injected", kAnyone, [](const http::Request&, http::Reply reply) {
    http::Response r;
    r.headers.emplace_back("X-Id", "1\r\nSet-Cookie: injected=1");
    reply(std::move(r));
  });
  f.router.add("GET", "/", kAnyone, reply_with(200, "{}"));
  f.start();
  for (const char* path : {"/no-content-with-body", "/injected"}) {
    INFO(path);
    auto r = request(f.port, "GET", path);
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->headers.count("set-cookie") == 0);
  }
  auto r = request(f.port, "GET", "/");
  REQUIRE(r);
  CHECK(r->status == 200);
}
