// The QA report as CSV (GET /api/v1/qa/reports?format=csv): RFC 4180, a header row naming the
// columns as the JSON rows name them, one line per row; null is an empty cell.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace omnigate::api {

// `report` as qa_report made it.
std::string qa_report_csv(const nlohmann::json& report);

}  // namespace omnigate::api
