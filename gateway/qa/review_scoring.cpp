#include "qa/review_scoring.hpp"

#include <set>
#include <stdexcept>

namespace omnigate::qa {

ReviewScore score_review(const Scorecard& card,
                         const std::vector<store::QaCriterionScore>& scores) {
  ReviewScore r;
  std::set<std::string> seen;
  for (const auto& s : scores) {
    const Criterion* c = card.find(s.criterion);
    if (!c) throw std::invalid_argument("unknown criterion " + s.criterion);
    if (!seen.insert(s.criterion).second)
      throw std::invalid_argument("criterion " + s.criterion + " is scored twice");
    if (!s.score) {
      if (!c->na_allowed)
        throw std::invalid_argument("criterion " + s.criterion + " cannot be N/A");
      continue;
    }
    const int lo = lowest_score(c->scale), hi = highest_score(c->scale);
    if (*s.score < lo || *s.score > hi)
      throw std::invalid_argument("criterion " + s.criterion + " takes " + std::to_string(lo) +
                                  ".." + std::to_string(hi));
    r.possible += c->weight;
    r.earned += c->weight * (*s.score - lo) / (hi - lo);
    if (c->auto_fail && *s.score == lo) r.auto_failed = true;
  }
  for (const auto& section : card.sections) {
    for (const auto& c : section.criteria) {
      if (!seen.contains(c.id)) throw std::invalid_argument("criterion " + c.id + " is not scored");
    }
  }
  if (r.possible == 0) throw std::invalid_argument("every criterion is N/A: nothing to score");
  r.overall = r.auto_failed ? 0 : r.earned / r.possible * 100;
  return r;
}

}  // namespace omnigate::qa
