// The HTTP/1.1 + WebSocket server (Boost.Beast, compiled only in server.cpp). It reads requests
// within the limits of config::ServerLimits, dispatches them through a Router and writes the
// handlers' replies, which may arrive later from any thread.
//
// Status codes the server itself produces: 404 (no route, JSON {"error":"not_found"}), 405
// (other method, with Allow), 408 (request not read within request_timeout_ms), 413 (body above
// the route's own limit (Router::add) or else max_body_bytes), 431 (headers above
// max_header_bytes), 400 (malformed request), 403 (WebSocket upgrade refused by the route; a route
// may answer its own refusal instead, see WsOpen), 503 (more than max_connections open), 500
// (handler threw).
#pragma once

#include "config/config.hpp"
#include "core/asio_executor.hpp"
#include "core/metrics.hpp"
#include "http/router.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace omnigate::http {

class HttpServer {
 public:
  // `router` and `metrics` must outlive the server; the executor runs every connection.
  HttpServer(AsioExecutor& executor, const Router& router, config::ServerLimits limits,
             Metrics& metrics);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Bind and listen on an IP address ("127.0.0.1", "::", "0.0.0.0"; "localhost" means
  // 127.0.0.1). Port 0 picks a free port. Returns the bound port. Throws std::runtime_error
  // naming the address and the reason.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // Start accepting (connections are served once the executor runs).
  void start();
  // Stop accepting, close idle connections, let requests in flight finish their reply for at
  // most `grace`, then close whatever is left. Blocks; call it from outside the executor's
  // threads. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::http
