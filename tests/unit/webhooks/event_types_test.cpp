// Which transcript events integrators see, under which names, and with which payload.
#include "webhooks/event_types.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace omnigate;
using webhooks::pattern_error;
using webhooks::pattern_matches;
using webhooks::public_event;

namespace {

store::WebhookSourceEvent source(const std::string& kind, const std::string& data_json = "{}") {
  store::WebhookSourceEvent s;
  s.event = {42, 7, kind, "system", data_json, 1763880000123};
  s.channel_instance = "sms";
  s.channel_kind = "sms";
  s.customer_id = 3;
  return s;
}

bool listed(std::string_view type) {
  const auto types = webhooks::public_event_types();
  return std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace

TEST_CASE("patterns: exact names, \"prefix.*\" and \"*\"") {
  CHECK(pattern_matches("message.created", "message.created"));
  CHECK_FALSE(pattern_matches("message.created", "message.created.x"));
  CHECK(pattern_matches("sla.*", "sla.breached"));
  CHECK(pattern_matches("sla.*", "sla.warning"));
  CHECK_FALSE(pattern_matches("sla.*", "slap.breached"));
  CHECK_FALSE(pattern_matches("sla.*", "sla."));
  CHECK_FALSE(pattern_matches("conversation.*", "message.created"));
  CHECK(pattern_matches("*", "complaint.filed"));
}

TEST_CASE("a pattern that cannot match or is malformed is refused with the reason") {
  CHECK(pattern_error("message.created").empty());
  CHECK(pattern_error("sla.*").empty());
  CHECK(pattern_error("*").empty());
  CHECK(pattern_error("sla.breach").find("matches no event") != std::string::npos);
  CHECK(pattern_error("sla.breach").find("sla.breached") != std::string::npos);  // the list
  CHECK(pattern_error("billing.*").find("matches no event") != std::string::npos);
  CHECK(pattern_error("sla*").find("must follow") != std::string::npos);
  CHECK(pattern_error("*.created").find("may only end") != std::string::npos);
}

TEST_CASE("a customer's message becomes message.created with the message in data") {
  auto s = source("message.received");
  store::Message m;
  m.id = 9;
  m.direction = "in";
  m.author_kind = "customer";
  m.body_text = "hello";
  m.created_at = 1763880000000;
  s.message = m;
  const auto e = public_event(s);
  REQUIRE(e);
  CHECK(e->type == "message.created");
  const auto body = nlohmann::json::parse(e->payload);
  CHECK(body["id"] == 42);
  CHECK(body["type"] == "message.created");
  CHECK(body["created_at"] == 1763880000123);
  CHECK(body["conversation_id"] == 7);
  CHECK(body["data"]["channel_instance"] == "sms");
  CHECK(body["data"]["customer_id"] == 3);
  CHECK(body["data"]["message"]["id"] == 9);
  CHECK(body["data"]["message"]["direction"] == "in");
  CHECK(body["data"]["message"]["body_text"] == "hello");
  // An agent's reply is the same public event.
  CHECK(public_event(source("message.sent"))->type == "message.created");
}

TEST_CASE("every SLA breach is sla.breached, told apart by its timer, with the event's data") {
  for (const char* kind :
       {"sla.first_response_breach", "sla.resolution_breach", "sla.resolution_max_breach"}) {
    const auto e = public_event(source(kind, R"({"target":"first_response","due_at":5})"));
    REQUIRE(e);
    CHECK(e->type == "sla.breached");
    const auto data = nlohmann::json::parse(e->payload)["data"];
    CHECK(data["timer"] == std::string(kind).substr(4));
    CHECK(data["target"] == "first_response");
    CHECK(data["due_at"] == 5);
  }
}

TEST_CASE("notifications of the ladders are public events naming who was notified") {
  const auto e = public_event(source(
      "escalation.notified",
      R"({"recipients":[{"role":"service_director","notified":"agent:dora"}],"reason":"P1"})"));
  REQUIRE(e);
  CHECK(e->type == "escalation.notified");
  CHECK(nlohmann::json::parse(e->payload)["data"]["recipients"][0]["notified"] == "agent:dora");
  const auto level = public_event(source("complaint.level_started", R"({"notified":"agent:amy"})"));
  REQUIRE(level);
  CHECK(level->type == "complaint.level_started");
}

TEST_CASE("internal events are not published, and every published name is listed") {
  CHECK_FALSE(public_event(source("conversation.offered")));
  CHECK_FALSE(public_event(source("contact.logged")));
  CHECK_FALSE(public_event(source("sla.progress_reminder")));
  for (const char* kind : {"conversation.created",
                           "conversation.assigned",
                           "conversation.transferred",
                           "conversation.priority_changed",
                           "conversation.resolved",
                           "conversation.reopened",
                           "message.received",
                           "message.sent",
                           "sla.first_response_warning",
                           "sla.resolution_warning",
                           "sla.first_response_breach",
                           "sla.resolution_breach",
                           "sla.resolution_max_breach",
                           "sla.escalation",
                           "sla.complaint_escalation",
                           "escalation.notified",
                           "complaint.filed",
                           "complaint.level_started",
                           "complaint.escalated",
                           "complaint.contact_recorded",
                           "complaint.commitment_recorded",
                           "complaint.executive_assigned",
                           "complaint.window_missed",
                           "complaint.close_breached",
                           "complaint.closed",
                           "customer.merged"}) {
    INFO(kind);
    const auto e = public_event(source(kind));
    REQUIRE(e);
    CHECK(listed(e->type));
  }
}

TEST_CASE("data that is not a JSON object still gives a well-formed payload") {
  const auto e = public_event(source("conversation.resolved", "not json"));
  REQUIRE(e);
  CHECK(nlohmann::json::parse(e->payload)["data"]["actor"] == "system");
}
