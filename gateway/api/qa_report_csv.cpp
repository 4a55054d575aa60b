#include "api/qa_report_csv.hpp"

namespace omnigate::api {

namespace {

constexpr const char* kColumns[] = {"key",
                                    "month",
                                    "reviews",
                                    "qa_score",
                                    "contacts",
                                    "responded_within_sla",
                                    "response_timeliness_rate",
                                    "avg_first_response_ms",
                                    "resolved",
                                    "resolution_rate",
                                    "complaints",
                                    "escalations",
                                    "csat_avg",
                                    "csat_count"};

// A text cell: quoted when it holds a separator, quote or line break; one that a spreadsheet
// would run as a formula (an agent id or team name starting with = + - @) gets a leading '.
std::string text_cell(std::string text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@'))
    text.insert(0, 1, '\'');
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char ch : text) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return text_cell(v.get<std::string>());
  return v.dump();
}

}  // namespace

std::string qa_report_csv(const nlohmann::json& report) {
  std::string out;
  for (const char* column : kColumns) {
    if (!out.empty()) out += ',';
    out += column;
  }
  out += "\r\n";
  for (const auto& row : report.at("rows")) {
    bool first = true;
    for (const char* column : kColumns) {
      if (!first) out += ',';
      first = false;
      out += cell(row.value(column, nlohmann::json()));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace omnigate::api
