#include "qa/conversation_filter_json.hpp"

#include <stdexcept>

namespace omnigate::qa {
namespace {

using nlohmann::json;

// A keyword is a word or phrase, not a document: longer ones are a client's mistake.
constexpr std::size_t kMaxKeywordBytes = 200;
constexpr std::size_t kMaxListEntries = 1000;

std::vector<std::string> string_list(const json& j, const char* field) {
  if (!j.contains(field)) return {};
  const auto& v = j.at(field);
  if (!v.is_array() || v.size() > kMaxListEntries)
    throw std::invalid_argument(std::string(field) + " must be an array of at most " +
                                std::to_string(kMaxListEntries) + " strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw std::invalid_argument(std::string(field) + " must hold strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> time_field(const json& j, const char* field) {
  if (!j.contains(field) || j.at(field).is_null()) return std::nullopt;
  const auto& v = j.at(field);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
    throw std::invalid_argument(std::string(field) + " must be a non-negative integer (ms)");
  return v.get<std::int64_t>();
}

}  // namespace

store::QaConversationFilter conversation_filter_from_json(const json& j) {
  if (j.is_null()) return {};
  if (!j.is_object()) throw std::invalid_argument("filter must be an object");
  store::QaConversationFilter f;
  f.from = time_field(j, "from");
  f.to = time_field(j, "to");
  if (f.from && f.to && *f.to <= *f.from) throw std::invalid_argument("to must be after from");
  f.agents = string_list(j, "agents");
  f.teams = string_list(j, "teams");
  f.channels = string_list(j, "channels");
  f.tiers = string_list(j, "tiers");
  for (const auto& target : string_list(j, "targets")) {
    if (target == "sla_breached")
      f.sla_breached = true;
    else if (target == "escalated")
      f.escalated = true;
    else if (target == "transferred")
      f.transferred = true;
    else if (target == "low_csat")
      f.low_csat = true;
    else
      throw std::invalid_argument(
          "targets may hold sla_breached, escalated, transferred, low_csat (" + target +
          " is none of them)");
  }
  f.min_handle_ms = time_field(j, "min_handle_ms");
  if (j.contains("keyword")) {
    if (!j.at("keyword").is_string() ||
        j.at("keyword").get<std::string>().size() > kMaxKeywordBytes)
      throw std::invalid_argument("keyword must be a string of at most " +
                                  std::to_string(kMaxKeywordBytes) + " bytes");
    f.keyword = j.at("keyword").get<std::string>();
  }
  return f;
}

json to_json(const store::QaConversationFilter& f) {
  json j = json::object();
  if (f.from) j["from"] = *f.from;
  if (f.to) j["to"] = *f.to;
  if (!f.agents.empty()) j["agents"] = f.agents;
  if (!f.teams.empty()) j["teams"] = f.teams;
  if (!f.channels.empty()) j["channels"] = f.channels;
  if (!f.tiers.empty()) j["tiers"] = f.tiers;
  json targets = json::array();
  if (f.sla_breached) targets.push_back("sla_breached");
  if (f.escalated) targets.push_back("escalated");
  if (f.transferred) targets.push_back("transferred");
  if (f.low_csat) targets.push_back("low_csat");
  if (!targets.empty()) j["targets"] = targets;
  if (f.min_handle_ms) j["min_handle_ms"] = *f.min_handle_ms;
  if (!f.keyword.empty()) j["keyword"] = f.keyword;
  return j;
}

}  // namespace omnigate::qa
