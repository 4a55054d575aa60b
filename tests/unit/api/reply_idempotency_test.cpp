// POST /conversations/{id}/reply with an Idempotency-Key: the key is checked, kept with the reply
// in the store, and answers a retry (same request) or refuses a reuse (different request).
#include "api_fixture.hpp"

#include "api/idempotency_key.hpp"

#include <thread>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

int outbound_messages(Api& api, store::Id id) {
  api.store->flush();
  int n = 0;
  for (const auto& e : api.store->transcript(id))
    if (e.message && e.message->direction == "out") ++n;
  return n;
}

}  // namespace

TEST_CASE("an Idempotency-Key must be 1..255 printable ASCII characters", "[api]") {
  using api::parse_idempotency_key;
  CHECK(parse_idempotency_key("retry-7f3a 2026-11-23").value == "retry-7f3a 2026-11-23");
  CHECK(parse_idempotency_key(std::string(255, 'k')).value);
  for (const std::string& bad :
       {std::string(), std::string(256, 'k'), std::string("tab\there"), std::string("caf\xc3\xa9"),
        std::string("nul\0byte", 8), std::string("del\x7f")}) {
    const auto r = parse_idempotency_key(bad);
    CHECK_FALSE(r.value);
    CHECK(r.error.status == 400);
    CHECK(r.error.field == "Idempotency-Key");
  }
}

TEST_CASE("a reply with an invalid Idempotency-Key is refused naming the header", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550300");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const auto r = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"hi"})",
                          {{"Idempotency-Key", std::string(256, 'k')}});
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "Idempotency-Key");
  CHECK(outbound_messages(api, id) == 0);
}

TEST_CASE("an Idempotency-Key reused for a different reply is 422 idempotency_mismatch", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550301");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const http::HeaderList key = {{"Idempotency-Key", "k-mismatch"}};
  const auto first = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"one"})", key);
  REQUIRE(first.status == 202);
  CHECK(first.body["replayed"] == false);
  const auto same = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"one"})", key);
  CHECK(same.status == 202);
  CHECK(same.body["replayed"] == true);
  CHECK(same.body["message_id"] == first.body["message_id"]);
  const auto other = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"two"})", key);
  CHECK(other.status == 422);
  CHECK(other.body["error"] == "idempotency_mismatch");
  CHECK(other.body["field"] == "Idempotency-Key");
  CHECK(outbound_messages(api, id) == 1);
}

TEST_CASE("concurrent replies with one Idempotency-Key store one reply and answer all with it",
          "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550302");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  constexpr int kClients = 6;
  std::vector<Api::Result> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      results[i] = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"once"})",
                            {{"Idempotency-Key", "k-concurrent"}});
    });
  for (auto& t : clients) t.join();
  int fresh = 0;
  for (const auto& r : results) {
    CHECK(r.status == 202);
    CHECK(r.body["message_id"] == results[0].body["message_id"]);
    fresh += r.body["replayed"] == false;
  }
  CHECK(fresh == 1);
  CHECK(outbound_messages(api, id) == 1);
}
