// The live queue's shape on a known set: SLA time left on a business calendar, the aggregates
// per team / tier / priority, and the filters.
#include "api/supervisor_view.hpp"
#include "dispatch/queued_conversation.hpp"

#include <omnigate/routing/policy.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace omnigate;
using nlohmann::json;
using omnigate::dispatch::QueuedConversation;

namespace {

constexpr store::UnixMs kHour = 3600 * 1000;
constexpr store::UnixMs kMonday9 = 1763974800000;  // 2025-11-24 09:00 UTC, a Monday

QueuedConversation waiting(store::Id id, std::string tier, int priority, std::string team,
                           store::UnixMs queued_at, std::string sla_state) {
  QueuedConversation q;
  q.conversation_id = id;
  q.tier = std::move(tier);
  q.priority = priority;
  q.team = std::move(team);
  q.channel_kind = "sms";
  q.queued_at = queued_at;
  q.sla_state = std::move(sla_state);
  return q;
}

}  // namespace

TEST_CASE("first-response time left counts only the tier's service hours", "[supervisor]") {
  // The handbooks' 5x8 calendar (Mon-Fri 09-17 UTC) that B and C tiers use by default.
  const auto policy = routing::Policy::defaults();
  const auto& office = policy.calendar_for(routing::Tier::C);
  const auto warn = policy.sla.warn_before_ms;
  const store::UnixMs due = kMonday9 + 24 * kHour + 3 * kHour;  // Tuesday 12:00
  QueuedConversation q;

  // Monday 16:00: one service hour today, three tomorrow; 20 hours on the wall clock.
  dispatch::set_first_response_sla(q, due, office, warn, kMonday9 + 7 * kHour);
  CHECK(q.first_response_due == due);
  CHECK(q.first_response_ms_left == 4 * kHour);
  CHECK(q.sla_state == "ok");

  dispatch::set_first_response_sla(q, due, office, warn, due - warn + 1);
  CHECK(q.sla_state == "warning");
  CHECK(q.first_response_ms_left == warn - 1);

  // Tuesday 18:00: five service hours past the breach (12-17), not six.
  dispatch::set_first_response_sla(q, due, office, warn, due + 6 * kHour);
  CHECK(q.sla_state == "breached");
  CHECK(q.first_response_ms_left == -5 * kHour);

  dispatch::set_first_response_sla(q, 0, office, warn, due);
  CHECK(q.sla_state == "none");
  CHECK_FALSE(q.first_response_ms_left);
}

TEST_CASE("the queue view counts waiting conversations per team, tier and priority",
          "[supervisor]") {
  dispatch::LiveView view;
  view.at = kMonday9 + 2 * kHour;
  view.waiting = {waiting(1, "A", 1, "vip", kMonday9, "breached"),
                  waiting(2, "A", 2, "vip", kMonday9 + kHour, "warning"),
                  waiting(3, "C", 4, "", kMonday9 + 30 * 60 * 1000, "ok"),
                  waiting(4, "C", 4, "billing", kMonday9 + 90 * 60 * 1000, "ok")};
  view.waiting[1].state = "offered";
  view.waiting[1].offered_to = "alice";
  view.waiting[1].offer_expires_at = view.at + 30000;
  view.waiting[1].first_response_ms_left = 120000;

  const json all = api::queue_view_json(view, {});
  CHECK(all["queued"].size() == 4);
  const json& agg = all["aggregates"];
  CHECK(agg["count"] == 4);
  CHECK(agg["breached"] == 1);
  CHECK(agg["warning"] == 1);
  CHECK(agg["oldest_wait_ms"] == 2 * kHour);
  CHECK(agg["by_team"] == json::parse(R"([
          {"team": null, "count": 1, "breached": 0, "warning": 0,
           "oldest_queued_at": 1763976600000, "oldest_wait_ms": 5400000},
          {"team": "billing", "count": 1, "breached": 0, "warning": 0,
           "oldest_queued_at": 1763980200000, "oldest_wait_ms": 1800000},
          {"team": "vip", "count": 2, "breached": 1, "warning": 1,
           "oldest_queued_at": 1763974800000, "oldest_wait_ms": 7200000}])"));
  CHECK(agg["by_tier"].size() == 2);
  CHECK(agg["by_tier"][0]["tier"] == "A");
  CHECK(agg["by_tier"][0]["count"] == 2);
  CHECK(agg["by_tier"][1]["count"] == 2);
  CHECK(agg["by_priority"].size() == 3);
  CHECK(agg["by_priority"][2]["priority"] == 4);
  CHECK(agg["by_priority"][2]["count"] == 2);

  const json& offered = all["queued"][1];
  CHECK(offered["state"] == "offered");
  CHECK(offered["offer"] == json{{"agent", "alice"}, {"expires_at", view.at + 30000}});
  CHECK(offered["first_response_ms_left"] == 120000);
  CHECK(offered["waiting_ms"] == kHour);
  CHECK(all["queued"][0]["offer"].is_null());

  // A team's view holds its own conversations and those open to any team.
  api::LiveFilter billing;
  billing.team = "billing";
  const json b = api::queue_view_json(view, billing);
  REQUIRE(b["queued"].size() == 2);
  CHECK(b["queued"][0]["conversation_id"] == 3);
  CHECK(b["queued"][1]["conversation_id"] == 4);
  CHECK(b["aggregates"]["count"] == 2);

  api::LiveFilter p1;
  p1.priority = 1;
  CHECK(api::queue_view_json(view, p1)["aggregates"]["count"] == 1);

  api::LiveFilter alice;
  alice.agent = "alice";
  const json mine = api::queue_view_json(view, alice);
  REQUIRE(mine["queued"].size() == 1);
  CHECK(mine["queued"][0]["conversation_id"] == 2);
}

TEST_CASE("queue filters are validated naming the parameter", "[supervisor]") {
  auto parse = [](std::string query) {
    http::Request req;
    req.query = std::move(query);
    return api::parse_live_filter(req);
  };
  const auto ok = parse("team=vip%20desk&tier=A&priority=2");
  REQUIRE(ok.value);
  CHECK(ok.value->team == "vip desk");
  CHECK(ok.value->tier == "A");
  CHECK(ok.value->priority == 2);
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"tier=D", "tier"},
           {"priority=5", "priority"},
           {"priority=P1", "priority"},
           {"team=", "team"},
           {"team=a%01b", "team"},
           {"team=" + std::string(101, 'x'), "team"}}) {
    const auto bad = parse(query);
    INFO(query);
    REQUIRE_FALSE(bad.value);
    CHECK(bad.error.status == 400);
    CHECK(bad.error.field == field);
  }
}
