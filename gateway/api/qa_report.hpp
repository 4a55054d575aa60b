// The QA report (GET /api/v1/qa/reports, docs/qa.md "Reports"): per agent, team, channel or tier
// and month, the reviews and QA score of the conversations created in that month beside the
// contact-centre figures of the same conversations, counted as the KPIs count them (KpiTally).
#pragma once

#include "api/report_months.hpp"
#include "store/csat_records.hpp"
#include "store/qa_records.hpp"

#include <omnigate/routing/policy.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace omnigate::api {

enum class QaReportGroup { agent, team, channel, tier };

// "agent", "team", "channel" or "tier"; nullopt for anything else.
std::optional<QaReportGroup> parse_qa_report_group(std::string_view text);

// What the store holds about the conversations created in one month.
struct QaReportMonthFacts {
  ReportMonth month;
  std::vector<store::ContactRecord> contacts;           // store.contacts_created
  std::vector<store::QaConversation> qa_conversations;  // store.qa_conversations: agent, team…
  std::vector<store::CsatRating> csat;                  // store.csat_ratings
};

// {"group_by", "months": ["YYYY-MM"...], "from", "to", "rows": [{"key", "month", "reviews",
// "qa_score", "contacts", "responded_within_sla", "response_timeliness_rate",
// "avg_first_response_ms", "resolved", "resolution_rate", "complaints", "escalations",
// "csat_avg", "csat_count"}]}, rows by key, then month; a group appears in a month when a
// conversation of it was created then. `reviews` may hold reviews of any conversation: those of
// conversations outside the months are left out.
nlohmann::json qa_report(QaReportGroup group, const std::vector<QaReportMonthFacts>& months,
                         const std::vector<store::QaReview>& reviews,
                         const routing::Policy& policy);

}  // namespace omnigate::api
