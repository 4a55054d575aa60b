#include "api/qa_report.hpp"

#include "api/kpi_tally.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

namespace omnigate::api {

namespace {

using nlohmann::json;

constexpr const char* kGroupNames[] = {"agent", "team", "channel", "tier"};

const std::string& group_key(QaReportGroup group, const store::QaConversation& c) {
  switch (group) {
    case QaReportGroup::agent:
      return c.agent;
    case QaReportGroup::team:
      return c.team;
    case QaReportGroup::channel:
      return c.channel_kind;
    case QaReportGroup::tier:
      break;
  }
  return c.tier;
}

struct Row {
  KpiTally tally;
  std::int64_t reviews = 0, complaints = 0, escalations = 0, csat_count = 0, csat_total = 0;
  double overall_total = 0;
};

}  // namespace

std::optional<QaReportGroup> parse_qa_report_group(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kGroupNames); ++i)
    if (text == kGroupNames[i]) return static_cast<QaReportGroup>(i);
  return std::nullopt;
}

json qa_report(QaReportGroup group, const std::vector<QaReportMonthFacts>& months,
               const std::vector<store::QaReview>& reviews, const routing::Policy& policy) {
  // Where each conversation of the report is counted: its group's key and its month's index.
  std::unordered_map<store::Id, std::pair<std::string, std::size_t>> place;
  std::map<std::pair<std::string, std::size_t>, Row> rows;
  for (std::size_t m = 0; m < months.size(); ++m) {
    for (const auto& c : months[m].qa_conversations) {
      auto& row = rows[{group_key(group, c), m}];
      if (c.escalated) ++row.escalations;
      place.emplace(c.id, std::make_pair(group_key(group, c), m));
    }
    for (const auto& r : months[m].contacts) {
      const auto at = place.find(r.conversation.id);
      if (at == place.end()) continue;  // created between the two reads: counted next time
      auto& row = rows[at->second];
      row.tally.add(r, policy);
      if (r.conversation.complaint_at) ++row.complaints;
    }
    for (const auto& rating : months[m].csat) {
      const auto at = place.find(rating.conversation_id);
      if (at == place.end()) continue;
      auto& row = rows[at->second];
      ++row.csat_count;
      row.csat_total += rating.rating;
    }
  }
  for (const auto& review : reviews) {
    const auto at = place.find(review.conversation_id);
    if (at == place.end()) continue;
    auto& row = rows[at->second];
    ++row.reviews;
    row.overall_total += review.overall;
  }

  json out_rows = json::array();
  for (const auto& [key, row] : rows) {
    const auto& t = row.tally;
    out_rows.push_back(
        {{"key", key.first},
         {"month", months[key.second].month.label},
         {"reviews", row.reviews},
         {"qa_score", row.reviews == 0 ? json(nullptr) : json(row.overall_total / row.reviews)},
         {"contacts", t.contacts},
         {"responded_within_sla", t.within_sla},
         {"response_timeliness_rate", kpi_ratio(t.within_sla, t.contacts)},
         {"avg_first_response_ms", kpi_average(t.first_response_total, t.answered)},
         {"resolved", t.resolved},
         {"resolution_rate", kpi_ratio(t.resolved, t.contacts)},
         {"complaints", row.complaints},
         {"escalations", row.escalations},
         {"csat_avg", row.csat_count == 0 ? json(nullptr)
                                          : json(static_cast<double>(row.csat_total) /
                                                 static_cast<double>(row.csat_count))},
         {"csat_count", row.csat_count}});
  }
  json labels = json::array();
  for (const auto& m : months) labels.push_back(m.month.label);
  return {{"group_by", kGroupNames[static_cast<std::size_t>(group)]},
          {"months", std::move(labels)},
          {"from", months.empty() ? 0 : months.front().month.from},
          {"to", months.empty() ? 0 : months.back().month.to},
          {"rows", std::move(out_rows)}};
}

}  // namespace omnigate::api
