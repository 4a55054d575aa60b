// A real HttpServer on 127.0.0.1:0 with its own executor, for the server tests.
#pragma once

#include "core/asio_executor.hpp"
#include "core/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

#include <memory>

namespace omnigate::test {

// The server tests are about HTTP, not access: their routes are open to anyone.
inline const http::AccessRule kAnyone = http::AccessRule::for_anyone();

struct ServerFixture {
  Metrics metrics;
  http::Router router;
  std::unique_ptr<AsioExecutor> executor = make_asio_executor(2);
  std::unique_ptr<http::HttpServer> server;
  std::uint16_t port = 0;

  // Call after adding routes.
  void start(config::ServerLimits limits = {}) {
    server = std::make_unique<http::HttpServer>(*executor, router, limits, metrics);
    port = server->listen("127.0.0.1", 0);
    server->start();
    executor->run();
  }
  ~ServerFixture() {
    if (server) server->stop(std::chrono::milliseconds(200));
    executor->stop();
  }
};

inline http::Handler reply_with(int status, std::string body) {
  return [status, body](const http::Request&, http::Reply reply) {
    http::Response r;
    r.status = status;
    r.body = body;
    reply(std::move(r));
  };
}

}  // namespace omnigate::test
