#include "api/qa_reports_api.hpp"

#include "api/json_response.hpp"
#include "api/qa_report.hpp"
#include "api/qa_report_csv.hpp"
#include "api/report_export_audit.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <charconv>
#include <limits>
#include <string>
#include <utility>

namespace omnigate::api {

namespace {

using nlohmann::json;

// A year of trend is the longest report: each month is two reads of every conversation in it.
constexpr int kMaxMonths = 12;

}  // namespace

struct QaReportsApi::Impl : std::enable_shared_from_this<QaReportsApi::Impl> {
  store::Store& store;
  PolicySource policy;

  Impl(store::Store& s, PolicySource p) : store(s), policy(std::move(p)) {}

  // ?group_by=agent|team|channel|tier (agent) &month=YYYY-MM (this month, UTC) &months=1..12 (1:
  // the months ending with `month`, for trends) &format=json|csv (json).
  void report(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto group = parse_qa_report_group(req.query_param("group_by").value_or("agent"));
    if (!group)
      return reply(error_response(400, "invalid_field",
                                  "group_by must be agent, team, channel or tier", "group_by"));
    const auto month_text = req.query_param("month");
    const auto last = month_text ? parse_report_month(*month_text) : report_month_of(now_ms());
    if (!last) return reply(error_response(400, "invalid_field", "month must be YYYY-MM", "month"));
    int count = 1;
    if (const auto v = req.query_param("months")) {
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), count);
      if (ec != std::errc() || end != v->data() + v->size() || count < 1 || count > kMaxMonths)
        return reply(error_response(400, "invalid_field",
                                    "months must be 1.." + std::to_string(kMaxMonths), "months"));
    }
    const std::string format = req.query_param("format").value_or("json");
    if (format != "json" && format != "csv")
      return reply(error_response(400, "invalid_field", "format must be json or csv", "format"));

    auto facts = std::make_shared<std::vector<QaReportMonthFacts>>();
    for (const auto& m : report_months_ending(*last, count)) {
      store::QaConversationFilter filter;
      filter.from = m.from;
      filter.to = m.to;
      // The grouping facts first: a conversation created between the two reads is in neither.
      auto grouped = store.qa_conversations(filter);
      facts->push_back({m, store.contacts_created(m.from, m.to, ""), std::move(grouped),
                        store.csat_ratings(m.from, m.to)});
    }
    audit_report_export(store, c, req, "qa", {facts->front().month.from, facts->back().month.to});
    // Every review; qa_report keeps those of the report's conversations. The store has no read
    // of reviews by the conversations' period, and reviews are few beside contacts.
    store::QaReviewFilter every;
    every.limit = std::numeric_limits<int>::max();
    auto reviews = std::make_shared<std::vector<store::QaReview>>(store.list_qa_reviews(every));
    const std::string filename = "qa-report-" + facts->back().month.label + "-" +
                                 req.query_param("group_by").value_or("agent");
    policy([facts, reviews, group = *group, format, filename, reply](routing::Policy p) {
      const json report = qa_report(group, *facts, *reviews, p);
      if (format == "json") return reply(json_response(200, report));
      http::Response response;
      response.status = 200;
      response.content_type = "text/csv; charset=utf-8";
      response.body = qa_report_csv(report);
      response.headers.push_back(
          {"Content-Disposition", "attachment; filename=\"" + filename + ".csv\""});
      reply(std::move(response));
    });
  }
};

QaReportsApi::QaReportsApi(store::Store& store, PolicySource policy)
    : impl_(std::make_shared<Impl>(store, std::move(policy))) {}

QaReportsApi::~QaReportsApi() = default;

void QaReportsApi::register_routes(http::Router& router) {
  router.add("GET", "/api/v1/qa/reports",
             guarded_method(impl_, {store::Role::qa, store::Role::supervisor, store::Role::admin},
                            &Impl::report));
}

}  // namespace omnigate::api
