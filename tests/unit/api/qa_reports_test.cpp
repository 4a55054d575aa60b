// The QA report (docs/qa.md "Reports"): the months a report covers, the figures per group as
// qa_report computes them from the store's facts, the CSV, and GET /api/v1/qa/reports through
// the real Router with a real SQLite store — who may read it, its answer, its audit.
#include "api/qa_report.hpp"
#include "api/qa_report_csv.hpp"
#include "api/qa_reports_api.hpp"
#include "api/report_months.hpp"

#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;

namespace {

constexpr store::UnixMs kMinute = 60 * 1000;
// 2026-05-01T00:00:00Z and 2026-06-01T00:00:00Z.
constexpr store::UnixMs kMay = 1777593600000;
constexpr store::UnixMs kJune = 1780272000000;

// One conversation of the report: created 10 minutes into the month, answered after
// `answered_after` minutes (none: never) against a 5-minute first-response deadline.
struct Contact {
  store::Id id;
  std::string agent, team, channel, tier;
  std::optional<int> answered_after;
  bool resolved = false, complaint = false, escalated = false;
};

api::QaReportMonthFacts month_facts(const api::ReportMonth& month,
                                    const std::vector<Contact>& contacts) {
  api::QaReportMonthFacts facts{month, {}, {}, {}};
  for (const auto& c : contacts) {
    store::ContactRecord r;
    auto& conv = r.conversation;
    conv.id = c.id;
    conv.channel_kind = conv.channel_instance = c.channel;
    conv.created_at = month.from + 10 * kMinute;
    conv.first_response_due = conv.created_at + 5 * kMinute;
    if (c.answered_after) conv.first_response_at = conv.created_at + *c.answered_after * kMinute;
    conv.status =
        c.resolved ? store::ConversationStatus::resolved : store::ConversationStatus::assigned;
    if (c.complaint) conv.complaint_at = conv.created_at + kMinute;
    facts.contacts.push_back(r);
    store::QaConversation q;
    q.id = c.id;
    q.agent = c.agent;
    q.team = c.team;
    q.channel_kind = c.channel;
    q.tier = c.tier;
    q.created_at = conv.created_at;
    q.escalated = c.escalated;
    facts.qa_conversations.push_back(q);
  }
  return facts;
}

store::QaReview review_of(store::Id conversation, double overall) {
  store::QaReview r;
  r.conversation_id = conversation;
  r.overall = overall;
  return r;
}

const json& row(const json& report, const std::string& key, const std::string& month) {
  for (const auto& r : report["rows"])
    if (r["key"] == key && r["month"] == month) return r;
  FAIL("no row " << key << " " << month << " in " << report.dump());
  static const json none;
  return none;
}

}  // namespace

TEST_CASE("a report month is a calendar month in UTC, and trends count back across years") {
  const auto may = api::parse_report_month("2026-05");
  REQUIRE(may);
  CHECK(may->label == "2026-05");
  CHECK(may->from == kMay);
  CHECK(may->to == kJune);
  for (const char* bad :
       {"2026-13", "2026-00", "2026-5", "26-05", "2026/05", "1969-12", "+026-05", "2026-05-01", ""})
    CHECK_FALSE(api::parse_report_month(bad));
  CHECK(api::report_month_of(kJune - 1).label == "2026-05");
  CHECK(api::report_month_of(kJune).label == "2026-06");
  const auto trend = api::report_months_ending(*api::parse_report_month("2026-02"), 3);
  REQUIRE(trend.size() == 3);
  CHECK(trend[0].label == "2025-12");
  CHECK(trend[1].label == "2026-01");
  CHECK(trend[2].label == "2026-02");
  CHECK(trend[0].to == trend[1].from);
}

TEST_CASE("the report groups a month's conversations and their reviews per agent") {
  const auto may = *api::parse_report_month("2026-05");
  auto facts =
      month_facts(may, {{1, "ann", "support", "sms", "A", 3, true, false, false},
                        {2, "ann", "support", "email", "B", 8, true, true, true},
                        {3, "ann", "support", "email", "B", std::nullopt, false, false, false},
                        {4, "bob", "sales", "sms", "A", 1, false, false, true}});
  // Conversation 1 reviewed twice (calibration), 2 once; 99 is not in the month.
  const std::vector<store::QaReview> reviews{review_of(1, 80), review_of(1, 70), review_of(2, 45),
                                             review_of(99, 10)};
  // Two of ann's conversations rated, none of bob's; 99 is not in the month.
  facts.csat = {{1, 5, "sms", "plugin:sms", may.from},
                {2, 2, "agent", "user:ann", may.from},
                {99, 1, "sms", "plugin:sms", may.from}};
  const auto report =
      api::qa_report(api::QaReportGroup::agent, {facts}, reviews, routing::Policy::defaults());
  CHECK(report["group_by"] == "agent");
  CHECK(report["months"] == json{"2026-05"});
  CHECK(report["from"] == kMay);
  CHECK(report["to"] == kJune);
  REQUIRE(report["rows"].size() == 2);
  CHECK(report["rows"][0]["key"] == "ann");  // by key

  const auto& ann = row(report, "ann", "2026-05");
  CHECK(ann["reviews"] == 3);
  CHECK(ann["qa_score"].get<double>() == Approx(65.0));
  CHECK(ann["contacts"] == 3);
  CHECK(ann["responded_within_sla"] == 1);  // 3 minutes of 5; 8 is late, 3 never answered
  CHECK(ann["response_timeliness_rate"].get<double>() == Approx(1.0 / 3));
  CHECK(ann["avg_first_response_ms"] == (3 + 8) * kMinute / 2);
  CHECK(ann["resolved"] == 2);
  CHECK(ann["resolution_rate"].get<double>() == Approx(2.0 / 3));
  CHECK(ann["complaints"] == 1);
  CHECK(ann["escalations"] == 1);
  CHECK(ann["csat_avg"].get<double>() == Approx(3.5));
  CHECK(ann["csat_count"] == 2);

  const auto& bob = row(report, "bob", "2026-05");
  CHECK(bob["reviews"] == 0);
  CHECK(bob["qa_score"].is_null());  // not reviewed: no score, not 0
  CHECK(bob["contacts"] == 1);
  CHECK(bob["response_timeliness_rate"].get<double>() == Approx(1.0));
  CHECK(bob["resolution_rate"].get<double>() == Approx(0.0));
  CHECK(bob["escalations"] == 1);
  CHECK(bob["complaints"] == 0);
  CHECK(bob["csat_avg"].is_null());  // no rating: no average, not 0
  CHECK(bob["csat_count"] == 0);
}

TEST_CASE("the same month grouped by team, channel and tier, and a trend over two months") {
  const auto may = *api::parse_report_month("2026-05");
  const auto june = *api::parse_report_month("2026-06");
  const auto in_may = month_facts(may, {{1, "ann", "support", "sms", "A", 3, true, false, false},
                                        {2, "bob", "support", "email", "B", 8, true, false, false},
                                        {3, "cat", "sales", "email", "A", 1, true, false, false}});
  const auto in_june =
      month_facts(june, {{4, "ann", "support", "sms", "A", 2, true, false, false}});
  const std::vector<store::QaReview> reviews{review_of(1, 90), review_of(2, 50), review_of(3, 60),
                                             review_of(4, 100)};
  const auto policy = routing::Policy::defaults();

  const auto team = api::qa_report(api::QaReportGroup::team, {in_may}, reviews, policy);
  REQUIRE(team["rows"].size() == 2);
  CHECK(row(team, "support", "2026-05")["qa_score"].get<double>() == Approx(70.0));
  CHECK(row(team, "support", "2026-05")["contacts"] == 2);
  CHECK(row(team, "sales", "2026-05")["reviews"] == 1);

  const auto channel = api::qa_report(api::QaReportGroup::channel, {in_may}, reviews, policy);
  CHECK(row(channel, "email", "2026-05")["qa_score"].get<double>() == Approx(55.0));
  CHECK(row(channel, "sms", "2026-05")["responded_within_sla"] == 1);

  const auto tier = api::qa_report(api::QaReportGroup::tier, {in_may}, reviews, policy);
  CHECK(row(tier, "A", "2026-05")["qa_score"].get<double>() == Approx(75.0));
  CHECK(row(tier, "B", "2026-05")["reviews"] == 1);

  const auto trend = api::qa_report(api::QaReportGroup::agent, {in_may, in_june}, reviews, policy);
  CHECK(trend["months"] == json{"2026-05", "2026-06"});
  CHECK(trend["to"] == june.to);
  REQUIRE(trend["rows"].size() == 4);
  CHECK(trend["rows"][0]["key"] == "ann");
  CHECK(trend["rows"][0]["month"] == "2026-05");
  CHECK(trend["rows"][1]["key"] == "ann");
  CHECK(trend["rows"][1]["month"] == "2026-06");
  CHECK(row(trend, "ann", "2026-05")["qa_score"].get<double>() == Approx(90.0));
  CHECK(row(trend, "ann", "2026-06")["qa_score"].get<double>() == Approx(100.0));

  CHECK(api::parse_qa_report_group("tier") == api::QaReportGroup::tier);
  CHECK_FALSE(api::parse_qa_report_group("customer"));
}

TEST_CASE("the CSV has a header row, one line per row, empty cells for null, quoted text") {
  const json report = {{"rows",
                        {{{"key", "ann"},
                          {"month", "2026-05"},
                          {"reviews", 2},
                          {"qa_score", 62.5},
                          {"contacts", 4},
                          {"responded_within_sla", 3},
                          {"response_timeliness_rate", 0.75},
                          {"avg_first_response_ms", 120000},
                          {"resolved", 2},
                          {"resolution_rate", 0.5},
                          {"complaints", 1},
                          {"escalations", 0},
                          {"csat_avg", nullptr},
                          {"csat_count", 0}},
                         {{"key", "=team, \"x\""}, {"month", "2026-05"}, {"qa_score", nullptr}}}}};
  const auto csv = api::qa_report_csv(report);
  CHECK(csv ==
        "key,month,reviews,qa_score,contacts,responded_within_sla,response_timeliness_rate,"
        "avg_first_response_ms,resolved,resolution_rate,complaints,escalations,csat_avg,"
        "csat_count\r\n"
        "ann,2026-05,2,62.5,4,3,0.75,120000,2,0.5,1,0,,0\r\n"
        "\"'=team, \"\"x\"\"\",2026-05,,,,,,,,,,,,\r\n");
}

namespace {

struct Reports {
  omnigate::testing::TempStore store;
  std::unique_ptr<api::QaReportsApi> reports;
  http::Router router;
  store::Id reviewed = 0, unreviewed = 0;

  // Two conversations of 2025-11-23 (store_fixture's time): ann's (agent a1, team support),
  // reviewed at 80 and 60, and bob's (a3, team sales), not reviewed.
  Reports() {
    testing::add_user(*store, "quinn", store::Role::qa, "");
    testing::add_user(*store, "sue", store::Role::supervisor, "");
    testing::add_user(*store, "ann", store::Role::agent, "a1");
    for (const auto& [id, team] : {std::pair{"a1", "support"}, std::pair{"a3", "sales"}}) {
      store::Agent a;
      a.id = a.display_name = id;
      a.team = team;
      testing::add_agent(*store, a);
    }
    reviewed =
        testing::customer_writes(*store, "sms", "+14155550100", "refund?", "SM1").conversation_id;
    unreviewed = testing::customer_writes(*store, "email", "c@example.com", "invoice?", "E1")
                     .conversation_id;
    committed<store::Nothing>(
        [&](auto done) { store->assign_conversation(reviewed, "a1", "{}", done); });
    committed<store::Nothing>(
        [&](auto done) { store->assign_conversation(unreviewed, "a3", "{}", done); });
    const auto card = committed<store::QaScorecard>([&](auto done) {
      store->add_qa_scorecard({0, "default", 0, "{}", "system", 1763880000000}, done);
    });
    for (const double overall : {80.0, 60.0}) {
      store::QaReview r;
      r.scorecard_id = card.id;
      r.conversation_id = reviewed;
      r.reviewer = "quinn";
      r.agent = "a1";
      r.overall = overall;
      r.created_at = r.updated_at = 1763890000000;
      committed<store::Id>([&](auto done) { store->save_qa_review(r, done); });
    }
    // The reviewed one resolved and rated 4 by phone.
    committed<store::Nothing>([&](auto done) {
      store->set_conversation_status(reviewed, store::ConversationStatus::resolved, "user:sue",
                                     done);
    });
    committed<store::CsatRating>([&](auto done) {
      store->save_csat({reviewed, 4, "agent", "user:sue", 1763890000000}, done);
    });
    reports = std::make_unique<api::QaReportsApi>(
        *store, [](auto done) { done(routing::Policy::defaults()); });
    reports->register_routes(router);
  }

  http::Response get(const std::string& query, const std::string& who) {
    http::Request req;
    req.method = "GET";
    req.target = "/api/v1/qa/reports?" + query;
    req.path = "/api/v1/qa/reports";
    req.query = query;
    auto m = router.match("GET", req.path);
    REQUIRE(m.handler != nullptr);
    req.headers.emplace_back("Authorization", "Bearer " + who + "-token");
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    return f.get();
  }

  int audited_exports(const std::string& actor) {
    int n = 0;
    for (const auto& e : store->list_audit(store::AuditFilter{}))
      if (e.record.actor == actor && e.record.action == "report.export" &&
          e.record.object == "report:qa")
        ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("GET /qa/reports answers qa, supervisors and admins, as JSON or CSV, audited") {
  Reports t;
  const auto r = t.get("group_by=agent&month=2025-11", "quinn");
  REQUIRE(r.status == 200);
  const auto report = json::parse(r.body);
  CHECK(report["months"] == json{"2025-11"});
  REQUIRE(report["rows"].size() == 2);
  const auto& a1 = row(report, "a1", "2025-11");
  CHECK(a1["reviews"] == 2);
  CHECK(a1["qa_score"].get<double>() == Approx(70.0));
  CHECK(a1["contacts"] == 1);
  CHECK(a1["responded_within_sla"] == 0);  // nobody answered yet
  CHECK(a1["csat_avg"].get<double>() == Approx(4.0));
  CHECK(a1["csat_count"] == 1);
  CHECK(row(report, "a3", "2025-11")["reviews"] == 0);
  CHECK(testing::eventually([&] { return t.audited_exports("quinn") == 1; }));

  const auto by_team = json::parse(t.get("group_by=team&month=2025-11", "sue").body);
  CHECK(row(by_team, "support", "2025-11")["qa_score"].get<double>() == Approx(70.0));
  CHECK(row(by_team, "sales", "2025-11")["contacts"] == 1);
  const auto by_channel = json::parse(t.get("group_by=channel&month=2025-11", "sue").body);
  CHECK(row(by_channel, "sms", "2025-11")["reviews"] == 2);
  CHECK(row(by_channel, "email", "2025-11")["reviews"] == 0);

  // A month without conversations has no rows; a trend of three months ends with the given one.
  CHECK(json::parse(t.get("month=2025-10", "quinn").body)["rows"].empty());
  const auto trend = json::parse(t.get("month=2026-01&months=3", "quinn").body);
  CHECK(trend["months"] == json{"2025-11", "2025-12", "2026-01"});
  CHECK(trend["rows"].size() == 2);

  const auto csv = t.get("group_by=agent&month=2025-11&format=csv", "quinn");
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type == "text/csv; charset=utf-8");
  CHECK(csv.body.rfind("key,month,reviews,qa_score,contacts,", 0) == 0);
  CHECK(csv.body.find("\r\na1,2025-11,2,70.0,1,0,0.0,,0,0.0,0,0,4.0,1\r\n") != std::string::npos);
  bool attachment = false;
  for (const auto& [name, value] : csv.headers)
    if (name == "Content-Disposition")
      attachment = value == "attachment; filename=\"qa-report-2025-11-agent.csv\"";
  CHECK(attachment);
  CHECK(testing::eventually([&] { return t.audited_exports("quinn") == 4; }));

  CHECK(t.get("group_by=agent&month=2025-11", "ann").status == 403);
  for (const char* bad : {"group_by=customer", "month=2025-13", "month=nov", "months=0",
                          "months=13", "months=x", "format=xlsx"}) {
    const auto refused = t.get(bad, "quinn");
    CHECK(refused.status == 400);
    CHECK(json::parse(refused.body)["error"] == "invalid_field");
  }
  CHECK(t.audited_exports("quinn") == 4);  // a refused request exports nothing
}
