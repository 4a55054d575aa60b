#include "api/qa_views.hpp"

namespace omnigate::api {

using nlohmann::json;

json qa_sample_json(const store::QaSample& s) {
  json items = json::array();
  for (const auto& i : s.items) {
    items.push_back({{"conversation_id", i.conversation_id},
                     {"agent", i.agent},
                     {"stratum", i.stratum},
                     {"reviewer", i.reviewer}});
  }
  return {{"id", s.id},
          {"name", s.name},
          {"strategy", json::parse(s.strategy_json)},
          {"filter", json::parse(s.filter_json)},
          {"seed", s.seed},
          {"created_by", s.created_by},
          {"created_at", s.created_at},
          {"items", std::move(items)}};
}

json qa_scorecard_json(const store::QaScorecard& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"version", c.version},
          {"definition", json::parse(c.definition_json)},
          {"created_by", c.created_by},
          {"created_at", c.created_at}};
}

json qa_review_json(const store::QaReview& r) {
  json scores = json::array();
  for (const auto& s : r.scores) {
    scores.push_back({{"criterion", s.criterion},
                      {"score", s.score ? json(*s.score) : json(nullptr)},
                      {"comment", s.comment}});
  }
  return {{"id", r.id},
          {"scorecard_id", r.scorecard_id},
          {"conversation_id", r.conversation_id},
          {"sample_id", r.sample_id ? json(*r.sample_id) : json(nullptr)},
          {"reviewer", r.reviewer},
          {"agent", r.agent},
          {"expert", r.expert},
          {"overall", r.overall},
          {"auto_failed", r.auto_failed},
          {"comment", r.comment},
          {"state", r.state},
          {"dispute_reason", r.dispute_reason},
          {"resolution_note", r.resolution_note},
          {"resolved_by", r.resolved_by},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"scores", std::move(scores)}};
}

json calibration_json(const qa::CalibrationReport& report) {
  json reference = json::object();
  for (const auto& [criterion, score] : report.reference_scores)
    reference[criterion] = score ? json(*score) : json(nullptr);
  json reviewers = json::array();
  for (const auto& r : report.reviewers) {
    json criteria = json::array();
    for (const auto& c : r.criteria) {
      criteria.push_back({{"criterion", c.criterion},
                          {"score", c.score ? json(*c.score) : json(nullptr)},
                          {"deviation", c.deviation ? json(*c.deviation) : json(nullptr)}});
    }
    reviewers.push_back({{"reviewer", r.reviewer},
                         {"review_id", r.review_id},
                         {"expert", r.expert},
                         {"overall", r.overall},
                         {"overall_deviation", r.overall_deviation},
                         {"mean_abs_deviation", r.mean_abs_deviation},
                         {"criteria", std::move(criteria)}});
  }
  return {{"reference", report.reference},
          {"reference_scores", std::move(reference)},
          {"reference_overall", report.reference_overall},
          {"reviewers", std::move(reviewers)}};
}

}  // namespace omnigate::api
