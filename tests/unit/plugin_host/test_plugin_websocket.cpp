// WebSocket routes of a plugin, driven through the Router's WsHandler the way the server does.
#include "probe_host.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

using omnigate::test::ProbeHost;

namespace {

// Records what the plugin sends; stands in for the server's connection object.
class RecordingConnection final : public omnigate::http::WsConnection {
 public:
  explicit RecordingConnection(uint64_t id) : id_(id) {}
  uint64_t id() const override { return id_; }
  bool send(std::string data, bool) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    sent_.push_back(std::move(data));
    return true;
  }
  void close(int code, std::string) override {
    std::lock_guard lock(mu_);
    closed_ = true;
    close_code_ = code;
  }
  std::vector<std::string> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int close_code() {
    std::lock_guard lock(mu_);
    return close_code_;
  }

 private:
  uint64_t id_;
  std::mutex mu_;
  std::vector<std::string> sent_;
  bool closed_ = false;
  int close_code_ = 0;
};

omnigate::http::Request upgrade_request(const std::string& query) {
  omnigate::http::Request req;
  req.method = "GET";
  req.path = "/channels/probe/ws";
  req.query = query;
  req.target = req.path + (query.empty() ? "" : "?" + query);
  return req;
}

}  // namespace

TEST_CASE("a plugin WebSocket route accepts, answers messages and learns about closes") {
  ProbeHost p;
  const auto match = p.router.match_ws("/channels/probe/ws");
  REQUIRE(match.ws_handler != nullptr);
  const auto& ws = *match.ws_handler;

  auto conn = std::make_shared<RecordingConnection>(41);
  REQUIRE(ws.on_open(upgrade_request(""), conn));
  ws.on_message(41, "hello", true);
  REQUIRE(omnigate::test::eventually([&] { return !conn->sent().empty(); }));
  CHECK(conn->sent() == std::vector<std::string>{"echo:hello"});

  ws.on_close(41);
  CHECK(p.await_kv("probe", "ws-closed") == "41");
}

TEST_CASE("a plugin may refuse a WebSocket upgrade") {
  ProbeHost p;
  const auto match = p.router.match_ws("/channels/probe/ws");
  REQUIRE(match.ws_handler != nullptr);
  CHECK_FALSE(match.ws_handler->on_open(upgrade_request("deny"),
                                        std::make_shared<RecordingConnection>(42)));
}

TEST_CASE("stopping the host closes the instance's WebSocket connections") {
  ProbeHost p;
  const auto match = p.router.match_ws("/channels/probe/ws");
  REQUIRE(match.ws_handler != nullptr);
  auto conn = std::make_shared<RecordingConnection>(43);
  REQUIRE(match.ws_handler->on_open(upgrade_request(""), conn));
  p.host.stop();
  CHECK(conn->close_code() == 1001);
}
