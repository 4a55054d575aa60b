#include "qa/scorecard.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace omnigate::qa {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCriteria = 200;
constexpr double kMaxWeight = 1000;

std::string text_field(const json& j, const char* field, const std::string& where, bool required) {
  if (!j.contains(field)) {
    if (required) throw std::invalid_argument(where + field + " is required");
    return {};
  }
  if (!j.at(field).is_string() || j.at(field).get<std::string>().size() > 1000)
    throw std::invalid_argument(where + field + " must be a string of at most 1000 bytes");
  return j.at(field).get<std::string>();
}

bool flag_field(const json& j, const char* field, const std::string& where) {
  if (!j.contains(field)) return false;
  if (!j.at(field).is_boolean()) throw std::invalid_argument(where + field + " must be a boolean");
  return j.at(field).get<bool>();
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char ch : id) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

Criterion criterion_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + " must be an object");
  const std::string at = where + ".";
  Criterion c;
  c.id = text_field(j, "id", at, true);
  if (!valid_id(c.id)) throw std::invalid_argument(at + "id must be 1-64 of a-z, 0-9, _");
  c.label = text_field(j, "label", at, true);
  const std::string scale = text_field(j, "scale", at, true);
  if (scale == "binary")
    c.scale = Scale::binary;
  else if (scale == "1-5")
    c.scale = Scale::one_to_five;
  else
    throw std::invalid_argument(at + "scale must be binary or 1-5");
  if (!j.contains("weight") || !j.at("weight").is_number() ||
      !std::isfinite(j.at("weight").get<double>()) || j.at("weight").get<double>() <= 0 ||
      j.at("weight").get<double>() > kMaxWeight)
    throw std::invalid_argument(at + "weight must be a number in (0, 1000]");
  c.weight = j.at("weight").get<double>();
  c.na_allowed = flag_field(j, "na_allowed", at);
  c.auto_fail = flag_field(j, "auto_fail", at);
  c.prefill = text_field(j, "prefill", at, false);
  if (!c.prefill.empty() && c.prefill != "first_response_sla")
    throw std::invalid_argument(at + "prefill must be first_response_sla or absent");
  return c;
}

}  // namespace

int lowest_score(Scale s) {
  return s == Scale::binary ? 0 : 1;
}

int highest_score(Scale s) {
  return s == Scale::binary ? 1 : 5;
}

const Criterion* Scorecard::find(const std::string& criterion_id) const {
  for (const auto& section : sections) {
    for (const auto& c : section.criteria) {
      if (c.id == criterion_id) return &c;
    }
  }
  return nullptr;
}

Scorecard scorecard_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("the scorecard must be an object");
  Scorecard card;
  card.name = text_field(j, "name", "", true);
  if (card.name.empty() || card.name.size() > 100)
    throw std::invalid_argument("name must be 1-100 bytes");
  card.description = text_field(j, "description", "", false);
  const auto& sections = j.value("sections", json());
  if (!sections.is_array() || sections.empty())
    throw std::invalid_argument("sections must be a non-empty array");
  std::set<std::string> ids;
  for (std::size_t s = 0; s < sections.size(); ++s) {
    const std::string where = "sections[" + std::to_string(s) + "]";
    const auto& sj = sections[s];
    if (!sj.is_object()) throw std::invalid_argument(where + " must be an object");
    Section section;
    section.title = text_field(sj, "title", where + ".", true);
    const auto& criteria = sj.value("criteria", json());
    if (!criteria.is_array() || criteria.empty())
      throw std::invalid_argument(where + ".criteria must be a non-empty array");
    for (std::size_t c = 0; c < criteria.size(); ++c) {
      auto criterion =
          criterion_from_json(criteria[c], where + ".criteria[" + std::to_string(c) + "]");
      if (!ids.insert(criterion.id).second)
        throw std::invalid_argument("criterion id " + criterion.id + " appears twice");
      if (ids.size() > kMaxCriteria)
        throw std::invalid_argument("a scorecard has at most " + std::to_string(kMaxCriteria) +
                                    " criteria");
      section.criteria.push_back(std::move(criterion));
    }
    card.sections.push_back(std::move(section));
  }
  return card;
}

json to_json(const Scorecard& card) {
  json sections = json::array();
  for (const auto& s : card.sections) {
    json criteria = json::array();
    for (const auto& c : s.criteria) {
      json cj{{"id", c.id},
              {"label", c.label},
              {"scale", c.scale == Scale::binary ? "binary" : "1-5"},
              {"weight", c.weight},
              {"na_allowed", c.na_allowed},
              {"auto_fail", c.auto_fail}};
      if (!c.prefill.empty()) cj["prefill"] = c.prefill;
      criteria.push_back(std::move(cj));
    }
    sections.push_back({{"title", s.title}, {"criteria", std::move(criteria)}});
  }
  return {{"name", card.name}, {"description", card.description}, {"sections", sections}};
}

Scorecard default_scorecard() {
  Scorecard card;
  card.name = "default";
  card.description = "The handbooks' monthly evaluation criteria.";
  card.sections = {
      {"Responsiveness",
       {{"response_speed", "Response speed: first response within the SLA", Scale::one_to_five, 20,
         false, false, "first_response_sla"}}},
      {"Conduct",
       {{"service_attitude", "Service attitude: courteous, patient, professional",
         Scale::one_to_five, 20, false, false, ""}}},
      {"Resolution",
       {{"problem_solving",
         "Problem solving: the customer's issue was resolved or correctly "
         "routed",
         Scale::one_to_five, 25, false, false, ""},
        {"process_completeness",
         "Process completeness: every required step was followed "
         "(record, classify, confirm, follow up)",
         Scale::binary, 15, false, true, ""}}},
      {"Outcome",
       {{"service_effect", "Service effect: the customer left satisfied", Scale::one_to_five, 20,
         true, false, ""}}},
  };
  return card;
}

}  // namespace omnigate::qa
