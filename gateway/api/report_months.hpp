// The calendar months a monthly report covers (GET /api/v1/qa/reports?month=2026-05&months=3):
// "YYYY-MM" in UTC, each with its [from, to) in Unix milliseconds, oldest first.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::api {

struct ReportMonth {
  std::string label;  // "2026-05"
  store::UnixMs from = 0, to = 0;
};

// "YYYY-MM" (year 1970..9999, month 01..12) as its month; nullopt when it is not one.
std::optional<ReportMonth> parse_report_month(std::string_view text);
// The month `at` falls in (UTC).
ReportMonth report_month_of(store::UnixMs at);
// `count` months ending with `last`, oldest first; none before 1970-01.
std::vector<ReportMonth> report_months_ending(const ReportMonth& last, int count);

}  // namespace omnigate::api
