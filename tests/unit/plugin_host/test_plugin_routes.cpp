// Webhook routes: mounting, the reply held until the submitted data is committed, duplicates,
// refused input, and the committed-listener.
#include "probe_host.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <vector>

using Catch::Matchers::Contains;
using nlohmann::json;
using omnigate::store::ConversationFilter;
using omnigate::test::ProbeHost;

namespace {

std::vector<omnigate::store::Conversation> conversations_of(ProbeHost& p,
                                                            const std::string& instance) {
  ConversationFilter filter;
  filter.channel_instance = instance;
  return p.env.store->list_conversations(filter);
}

int inbound_messages(ProbeHost& p, omnigate::store::Id conversation) {
  int n = 0;
  for (const auto& entry : p.env.store->transcript(conversation)) {
    if (entry.message && entry.message->direction == "in") ++n;
  }
  return n;
}

// Runs SQL on the test's database through a connection of its own (to inject failures).
void exec_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &conn) == SQLITE_OK);
  sqlite3_busy_timeout(conn, 10000);
  char* error = nullptr;
  const int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(conn);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("plugin routes are mounted under /channels/<instance> and nowhere else") {
  ProbeHost p;
  CHECK(p.get("/channels/probe/overlap").status == 200);
  CHECK(p.get("/channels/probe_private/overlap").status == 200);
  CHECK(p.get("/overlap").status == 404);
  CHECK(p.get("/channels/other/overlap").status == 404);
  const auto infos = p.host.instances();
  REQUIRE(infos.size() == 2);
  CHECK(infos[0].state == "running");
  CHECK(infos[0].plugin == "probe");
  CHECK(infos[0].channel_kind == "sms");
}

TEST_CASE("the 2xx for a webhook is sent only once its message is committed") {
  ProbeHost p;
  const auto r =
      p.post("/channels/probe/inbound", {{"id", "SM1"}, {"from", "+15551230001"}, {"text", "hi"}});
  CHECK(r.status == 200);
  CHECK(r.body == "stored\n");
  // No waiting: the reply itself is the proof that the message is durable and readable.
  const auto convs = conversations_of(p, "probe");
  REQUIRE(convs.size() == 1);
  CHECK(inbound_messages(p, convs[0].id) == 1);
  CHECK(convs[0].channel_kind == "sms");
  CHECK_THAT(p.env.metrics.render(),
             Contains(R"(omnigate_plugin_inbound_total{instance="probe",channel="sms"} 1)"));
}

TEST_CASE("a provider retry of a stored message gets a 2xx and stores nothing twice") {
  ProbeHost p;
  const json body = {{"id", "SM-dup"}, {"from", "+15551230002"}, {"text", "once"}};
  CHECK(p.post("/channels/probe/inbound", body).status == 200);
  CHECK(p.post("/channels/probe/inbound", body).status == 200);
  const auto convs = conversations_of(p, "probe");
  REQUIRE(convs.size() == 1);
  CHECK(inbound_messages(p, convs[0].id) == 1);
}

TEST_CASE("input the host refuses reaches the provider as a 4xx with the reason") {
  ProbeHost p;
  // from_address is required: the submit fails validation, the C++ wrapper turns the
  // PERMANENT status into a 400 carrying the host's message.
  const auto r = p.post("/channels/probe/inbound", {{"id", "SM2"}, {"from", ""}, {"text", "x"}});
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Contains("from_address is required"));
  CHECK(conversations_of(p, "probe").empty());
}

TEST_CASE("committed inbound messages reach the on_committed listeners but duplicates do not") {
  ProbeHost p;
  std::mutex mu;
  std::vector<std::pair<std::string, omnigate::store::IngestResult>> seen;
  std::vector<omnigate::Committed> kinds;
  p.host.on_committed([&](const std::string& instance, const omnigate::store::IngestResult& r,
                          omnigate::Committed what) {
    std::lock_guard lock(mu);
    seen.emplace_back(instance, r);
    kinds.push_back(what);
  });
  const json body = {{"id", "SM3"}, {"from", "+15551230003"}, {"text", "route me"}};
  REQUIRE(p.post("/channels/probe/inbound", body).status == 200);
  REQUIRE(p.post("/channels/probe/inbound", body).status == 200);
  REQUIRE(omnigate::test::eventually([&] {
    std::lock_guard lock(mu);
    return !seen.empty();
  }));
  // A channel event is told apart from a message (message.received is only for messages).
  REQUIRE(p.post("/channels/probe/event",
                 {{"id", "EV3"}, {"kind", "call.ended"}, {"from", "+15551230003"}})
              .status == 200);
  p.env.store->flush();
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].first == "probe");
  CHECK(seen[0].second.conversation_id == conversations_of(p, "probe").at(0).id);
  CHECK(seen[0].second.new_conversation);
  CHECK(kinds == std::vector<omnigate::Committed>{omnigate::Committed::customer_message,
                                                  omnigate::Committed::channel_event});
}

TEST_CASE("delivery reports and channel events are committed before their reply") {
  ProbeHost p;
  CHECK(p.post("/channels/probe/event",
               {{"id", "CA1-answered"}, {"kind", "call.answered"}, {"from", "+15551230004"}})
            .status == 200);
  const auto convs = conversations_of(p, "probe");
  REQUIRE(convs.size() == 1);
  bool found = false;
  for (const auto& e : p.env.store->transcript(convs[0].id)) {
    if (e.event && e.event->kind == "call.answered") found = true;
  }
  CHECK(found);
  // A report for an id we never sent is still a success: the provider must stop retrying.
  CHECK(p.post("/channels/probe/delivery", {{"id", "SM-unknown"}, {"state", OG_DELIVERY_DELIVERED}})
            .status == 200);
  // An invalid state is refused with the reason.
  const auto bad = p.post("/channels/probe/delivery", {{"id", "SM-x"}, {"state", 99}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Contains("not an OG_DELIVERY_* value"));
}

TEST_CASE("a failed commit turns the held 2xx into a 503 so the provider retries") {
  ProbeHost p;
  const auto db = p.env.dir / "omnigate.db";
  exec_sql(db,
           "CREATE TRIGGER og_test_refuse_messages BEFORE INSERT ON messages "
           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
  const json body = {{"id", "SM-fail"}, {"from", "+15551230005"}, {"text", "not yet"}};
  const auto refused = p.post("/channels/probe/inbound", body);
  CHECK(refused.status == 503);
  CHECK(std::find(refused.headers.begin(), refused.headers.end(),
                  std::pair<std::string, std::string>{"Retry-After", "1"}) !=
        refused.headers.end());

  exec_sql(db, "DROP TRIGGER og_test_refuse_messages");
  CHECK(p.post("/channels/probe/inbound", body).status == 200);
  const auto convs = conversations_of(p, "probe");
  REQUIRE(convs.size() == 1);
  CHECK(inbound_messages(p, convs[0].id) == 1);
}
