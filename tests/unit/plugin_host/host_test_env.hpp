// What the plugin host tests share: a real SQLite store in a fresh temporary directory, a real
// Asio executor, metrics, and a way to call a mounted route through the Router and wait for
// its reply the way the HTTP server would.
#pragma once

#include "core/asio_executor.hpp"
#include "core/metrics.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace omnigate::test {

struct HostTestEnv {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  Metrics metrics;
  std::unique_ptr<AsioExecutor> executor;  // destroyed (stopped) first

  HostTestEnv() {
    std::string templ = (std::filesystem::temp_directory_path() / "og-plugin-host-XXXXXX").string();
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    dir = templ;
    store::SqliteOptions options;
    options.path = (dir / "omnigate.db").string();
    options.attachments_dir = (dir / "attachments").string();
    store = store::open_sqlite_store(options);
    executor = make_asio_executor(2);
    executor->run();
  }
  ~HostTestEnv() {
    executor->stop();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  HostTestEnv(const HostTestEnv&) = delete;
  HostTestEnv& operator=(const HostTestEnv&) = delete;
};

// A generous deadline for things that happen on other threads; never a speed assertion.
constexpr auto kDeadline = std::chrono::seconds(20);

// Calls the route the way the server does and waits for the reply; nullopt if none came.
inline std::optional<http::Response> call_route(const http::Router& router,
                                                const std::string& method,
                                                const std::string& target,
                                                const std::string& body = "",
                                                http::HeaderList headers = {}) {
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  auto match = router.match(method, path);
  if (match.handler == nullptr) return http::Response{404, "text/plain", "no route", {}};
  http::Request req;
  req.id = 1;
  req.method = method;
  req.target = target;
  req.path = path;
  req.query = q == std::string::npos ? "" : target.substr(q + 1);
  req.headers = std::move(headers);
  req.body = body;
  req.remote_addr = "203.0.113.7";
  req.params = match.params;
  auto promise = std::make_shared<std::promise<http::Response>>();
  auto future = promise->get_future();
  (*match.handler)(req, [promise](http::Response r) { promise->set_value(std::move(r)); });
  if (future.wait_for(kDeadline) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// Polls `condition` until it holds or the deadline passes.
inline bool eventually(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace omnigate::test
