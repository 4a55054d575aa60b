// Host services a plugin uses outside webhooks: timers, the key/value store, and the promise
// that an instance's callbacks never run concurrently.
#include "probe_host.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using omnigate::test::ProbeHost;

TEST_CASE("a timer set by the plugin fires its on_timer") {
  ProbeHost p;
  REQUIRE(p.post("/channels/probe/timer", {{"ms", 5}, {"key", "t1"}}).status == 202);
  CHECK(p.await_kv("probe", "t1") == "fired");
}

TEST_CASE("kv values round-trip and persist in the store and are scoped to the instance") {
  ProbeHost p;
  REQUIRE(p.post("/channels/probe/kv", {{"key", "cursor"}, {"value", "page-42"}}).status == 200);
  const auto r = p.get("/channels/probe/kv?key=cursor");
  CHECK(r.status == 200);
  CHECK(r.body == "page-42");
  CHECK(p.await_kv("probe", "cursor") == "page-42");  // durable a moment later (kv_put queues)
  CHECK(p.get("/channels/probe_private/kv?key=cursor").status == 404);
  CHECK(p.get("/channels/probe/kv?key=absent").status == 404);
}

TEST_CASE("an empty kv key is refused with a reason") {
  ProbeHost p;
  const auto r = p.post("/channels/probe/kv", {{"key", ""}, {"value", "x"}});
  CHECK(r.status == 400);
  CHECK(r.body.find("key is empty") != std::string::npos);
}

TEST_CASE("callbacks of one instance never overlap whatever the load from other threads") {
  ProbeHost p;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&p, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string key = "k" + std::to_string(t) + "-" + std::to_string(i);
        p.post("/channels/probe/timer", {{"ms", 0}, {"key", key}});
        p.post("/channels/probe/kv", {{"key", key + "v"}, {"value", "x"}});
      }
    });
  }
  for (auto& c : clients) c.join();
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 10; ++i) {
      REQUIRE(p.await_kv("probe", "k" + std::to_string(t) + "-" + std::to_string(i)) == "fired");
    }
  }
  CHECK(p.get("/channels/probe/overlap").body == "0");
}
