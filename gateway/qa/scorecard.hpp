// A scorecard: sections of criteria, each with its scale, weight, whether N/A is allowed and
// whether failing it fails the whole review (docs/qa.md "Scorecards"). Stored as JSON, one
// version per row (store::QaScorecard); this is its checked, typed form.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace omnigate::qa {

enum class Scale {
  binary,       // 0 = no, 1 = yes
  one_to_five,  // 1 (poor) .. 5 (excellent)
};

int lowest_score(Scale s);
int highest_score(Scale s);

struct Criterion {
  std::string id;  // [a-z0-9_], unique in the scorecard: what review scores name
  std::string label;
  Scale scale = Scale::one_to_five;
  double weight = 1;
  bool na_allowed = false;
  bool auto_fail = false;  // scored at its lowest, the review is 0%
  // "first_response_sla": a new review is pre-filled from the measured first response against
  // the conversation's SLA deadline (response_speed_prefill.hpp).
  std::string prefill;
};

struct Section {
  std::string title;
  std::vector<Criterion> criteria;
};

struct Scorecard {
  std::string name;
  std::string description;
  std::vector<Section> sections;

  const Criterion* find(const std::string& criterion_id) const;
};

// Throws std::invalid_argument naming the field at fault (e.g. "sections[1].criteria[0].weight").
Scorecard scorecard_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Scorecard& card);

// The handbooks' five criteria (docs/qa.md): response speed (pre-filled from the SLA), service
// attitude, problem solving, process completeness (auto-fail: a required step skipped) and service
// effect.
Scorecard default_scorecard();

}  // namespace omnigate::qa
