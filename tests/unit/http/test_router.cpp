#include "http/router.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::http;

namespace {
const AccessRule kAnyone = AccessRule::for_anyone();

Handler noop() {
  return [](const Request&, Reply) {};
}
}  // namespace

TEST_CASE("literal segments match exactly") {
  Router r;
  r.add("GET", "/healthz", kAnyone, noop());
  CHECK(r.match("GET", "/healthz").handler != nullptr);
  CHECK(r.match("GET", "/healthz/").handler != nullptr);  // trailing slash is the same path
  CHECK(r.match("GET", "/health").handler == nullptr);
  CHECK(r.match("GET", "/healthz/x").handler == nullptr);
  CHECK_FALSE(r.match("GET", "/other").path_known);
}

TEST_CASE("{name} segments capture one segment each") {
  Router r;
  r.add("POST", "/api/v1/conversations/{id}/reply", kAnyone, noop());
  auto m = r.match("POST", "/api/v1/conversations/42/reply");
  REQUIRE(m.handler != nullptr);
  CHECK(m.params.at("id") == "42");
  CHECK(m.pattern == "/api/v1/conversations/{id}/reply");
  CHECK(r.match("POST", "/api/v1/conversations/42/43/reply").handler == nullptr);
  CHECK(r.match("POST", "/api/v1/conversations//reply").handler == nullptr);
}

TEST_CASE("a trailing /* captures the rest of the path") {
  Router r;
  r.add("GET", "/files/*", kAnyone, noop());
  auto m = r.match("GET", "/files/css/site.css");
  REQUIRE(m.handler != nullptr);
  CHECK(m.params.at("*") == "css/site.css");
  m = r.match("GET", "/files");
  REQUIRE(m.handler != nullptr);
  CHECK(m.params.at("*").empty());
  CHECK(r.match("GET", "/other/x").handler == nullptr);
}

TEST_CASE("another method on a known path is a 405 with the allowed methods") {
  Router r;
  r.add("GET", "/api/v1/agents/{id}", kAnyone, noop());
  r.add("PUT", "/api/v1/agents/{id}", kAnyone, noop());
  auto m = r.match("DELETE", "/api/v1/agents/alice");
  CHECK(m.handler == nullptr);
  CHECK(m.path_known);
  CHECK(m.allowed_methods == std::vector<std::string>{"GET", "PUT"});
}

TEST_CASE("HEAD is served by the GET route") {
  Router r;
  r.add("GET", "/x", kAnyone, noop());
  CHECK(r.match("HEAD", "/x").handler != nullptr);
}

TEST_CASE("the first matching route wins") {
  Router r;
  int which = 0;
  r.add("GET", "/a/special", kAnyone, [&](const Request&, Reply) { which = 1; });
  r.add("GET", "/a/{name}", kAnyone, [&](const Request&, Reply) { which = 2; });
  Request req;
  (*r.match("GET", "/a/special").handler)(req, [](Response) {});
  CHECK(which == 1);
  (*r.match("GET", "/a/other").handler)(req, [](Response) {});
  CHECK(which == 2);
}

TEST_CASE("websocket routes are matched separately") {
  Router r;
  r.add_ws("/channels/chat/ws/{session}", kAnyone, WsHandler{});
  auto m = r.match_ws("/channels/chat/ws/abc");
  REQUIRE(m.ws_handler != nullptr);
  CHECK(m.params.at("session") == "abc");
  CHECK(r.match("GET", "/channels/chat/ws/abc").handler == nullptr);
  CHECK(r.match_ws("/channels/chat").ws_handler == nullptr);
}

TEST_CASE("a root catch-all does not turn unknown paths into 405") {
  Router r;
  r.add("POST", "/api/v1/things", kAnyone, noop());
  r.add("GET", "/*", kAnyone, noop());
  CHECK_FALSE(r.match("POST", "/api/v1/unknown").path_known);
  CHECK(r.match("GET", "/api/v1/things").path_known);
  CHECK(r.match("GET", "/api/v1/things").handler != nullptr);
}

TEST_CASE("routes() lists every route with the access rule it was added with") {
  Router r;
  r.add("GET", "/healthz", kAnyone, noop());
  r.add("POST", "/api/v1/things/{id}", Endpoint{AccessRule::for_roles({"agent", "admin"}), noop()});
  r.add_ws("/api/v1/stream", AccessRule::for_ticket({"supervisor"}), WsHandler{});
  const auto routes = r.routes();
  REQUIRE(routes.size() == 3);
  CHECK(routes[0].method == "GET");
  CHECK(routes[0].pattern == "/healthz");
  CHECK(routes[0].access.kind == AccessRule::Kind::anyone);
  CHECK(routes[1].pattern == "/api/v1/things/{id}");
  CHECK(routes[1].access.kind == AccessRule::Kind::roles);
  CHECK(routes[1].access.roles == std::vector<std::string>{"agent", "admin"});
  CHECK_FALSE(routes[1].websocket);
  CHECK(routes[2].websocket);
  CHECK(routes[2].access.kind == AccessRule::Kind::ticket);
  CHECK(std::string(to_string(routes[2].access.kind)) == "ticket");
}
