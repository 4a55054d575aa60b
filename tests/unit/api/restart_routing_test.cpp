// Routing rebuilt from the store (what a restart or SIGHUP does) resumes the SLA clock where it
// was: a pause on the customer keeps shifting the deadlines, and progress reminders keep their
// rhythm from arrival instead of being re-timed from the rebuild. Transcript events of a timer
// kind that no longer exists are skipped.
#include <thread>

#include "api_fixture.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

constexpr store::UnixMs kMinute = 60 * 1000;
constexpr store::UnixMs kHour = 60 * kMinute;
// Tier C on a 7x24 calendar: the deadlines do not depend on the hour the test runs at.
const std::string kAlwaysOpen = R"({"tiers":{"C":{"calendar":"24x7"}}})";

std::vector<json> events_of(Api& api, store::Id id, const std::string& kind) {
  api.store->flush();
  std::vector<json> out;
  for (const auto& e : api.store->transcript(id))
    if (e.event && e.event->kind == kind) out.push_back(json::parse(e.event->data_json));
  return out;
}

// Moves the dispatcher's clock to `at` (Unix ms) and lets a tick look at every timer.
void clock_at(Api& api, store::Id id, store::UnixMs at) {
  api.time_passed = at - now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  api.settle(id);
}

// The customer writes at the dispatcher's present (the fixture's messages carry a fixed time,
// which the conversation's arrival would be).
store::Id customer_writes_now(Api& api, const std::string& from, const std::string& key) {
  store::InboundRecord rec;
  rec.channel_instance = rec.channel_kind = "sms";
  rec.provider_message_id = key;
  rec.from_kind = "phone";
  rec.from_address = from;
  rec.to_address = "+18005550000";
  rec.thread_key = "sms:" + from;
  rec.body_text = "help please";
  rec.received_at = rec.sent_at = now_ms() + api.time_passed;
  const auto r = omnigate::testing::committed<store::IngestResult>(
      [&](store::Completion<store::IngestResult> done) { api.store->ingest_message(rec, done); });
  api.dispatcher->on_inbound("sms", r, true);
  return r.conversation_id;
}

// A P1 SMS conversation that alice holds.
store::Id alices_p1(Api& api, const std::string& from) {
  const auto id = customer_writes_now(api, from, "sms-" + from);
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  REQUIRE(api.call("POST", api.path(id, "/priority"), "sue",
                   R"({"priority":1,"reason":"production down"})")
              .status == 200);
  api.settle(id);
  return id;
}

}  // namespace

TEST_CASE("a pause on the customer survives a rebuild, and so do the deadlines it shifted",
          "[api]") {
  Api api(store::Presence::online, {{"sms", 5}, {"webchat", 3}, {"email", 8}}, kAlwaysOpen);
  const std::string from = "+14155550400";
  const auto id = alices_p1(api, from);
  const auto arrived = api.store->get_conversation(id)->queued_at;
  const auto due = *api.store->get_conversation(id)->resolution_due;  // P1: 2 h
  REQUIRE(due == arrived + 2 * kHour);
  // Alice answers at once; the customer takes 3 h, and the gateway restarts meanwhile.
  REQUIRE(api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"looking"})").status == 202);
  api.settle(id);
  REQUIRE(api.store->get_conversation(id)->sla_paused_since);
  clock_at(api, id, arrived + 3 * kHour);
  api.dispatcher->reload_policy(kAlwaysOpen);
  api.settle(id);
  REQUIRE(customer_writes_now(api, from, "sms-" + from + "-again") == id);
  api.settle(id);
  clock_at(api, id, now_ms() + api.time_passed + kMinute);
  CHECK(events_of(api, id, "sla.resolution_breach").empty());
  const auto shifted = *api.store->get_conversation(id)->resolution_due;
  CHECK(shifted >= due + 3 * kHour - kMinute);
  CHECK_FALSE(api.store->get_conversation(id)->sla_paused_since);

  // Another rebuild keeps the shifted deadline instead of recomputing it from arrival.
  api.dispatcher->reload_policy(kAlwaysOpen);
  clock_at(api, id, now_ms() + api.time_passed + kMinute);
  CHECK(events_of(api, id, "sla.resolution_breach").empty());
  CHECK(*api.store->get_conversation(id)->resolution_due == shifted);
}

TEST_CASE("progress reminders keep their rhythm from arrival across a rebuild", "[api]") {
  Api api(store::Presence::online, {{"sms", 5}, {"webchat", 3}, {"email", 8}}, kAlwaysOpen);
  const auto id = alices_p1(api, "+14155550401");
  const auto arrived = api.store->get_conversation(id)->queued_at;
  clock_at(api, id, arrived + 30 * kMinute + 1000);
  REQUIRE(eventually([&] { return events_of(api, id, "sla.progress_reminder").size() == 1; }));
  CHECK(events_of(api, id, "sla.progress_reminder")[0]["due_at"] == arrived + 30 * kMinute);

  clock_at(api, id, arrived + 45 * kMinute);
  api.dispatcher->reload_policy(kAlwaysOpen);
  api.settle(id);
  // The next one is due an hour after arrival, not half an hour after the rebuild.
  clock_at(api, id, arrived + 60 * kMinute + 1000);
  REQUIRE(eventually([&] { return events_of(api, id, "sla.progress_reminder").size() == 2; }));
  CHECK(events_of(api, id, "sla.progress_reminder")[1]["due_at"] == arrived + 60 * kMinute);
}

TEST_CASE("an old sla.complaint_escalation event in the transcript is skipped at a rebuild",
          "[api]") {
  // Written by routing's complaint escalation before the complaint ladder replaced it: the kind
  // is no timer kind any more, and a rebuild reads the rest of the transcript as before.
  Api api(store::Presence::online, {{"sms", 5}, {"webchat", 3}, {"email", 8}}, kAlwaysOpen);
  const auto id = alices_p1(api, "+14155550402");
  REQUIRE(events_of(api, id, "sla.escalation").size() == 1);
  omnigate::testing::committed<store::Id>([&](store::Completion<store::Id> done) {
    api.store->add_event({id, "sla.complaint_escalation", "system",
                          R"({"level":1,"target":"account_manager","due_at":1})", now_ms()},
                         done);
  });
  api.dispatcher->reload_policy(kAlwaysOpen);
  clock_at(api, id, now_ms() + api.time_passed + kMinute);
  CHECK(api.assigned(id) == "alice");
  CHECK(api.call("GET", api.path(id, "/explain"), "sue").body.dump().find("alice") !=
        std::string::npos);
  CHECK(events_of(api, id, "sla.escalation").size() == 1);  // the at-once one, not again
  CHECK(events_of(api, id, "sla.complaint_escalation").size() == 1);
}
