// A review's overall score from its per-criterion scores (docs/qa.md "How a review is scored"):
// each scored criterion earns weight × (score − lowest)/(highest − lowest), so a 3 of 1–5 earns
// half its weight and a binary yes all of it; N/A criteria leave both the earned and the
// possible points; overall = earned / possible × 100. A criterion marked auto-fail scored at its
// lowest makes the overall 0.
#pragma once

#include "qa/scorecard.hpp"
#include "store/qa_records.hpp"

#include <vector>

namespace omnigate::qa {

struct ReviewScore {
  double overall = 0;  // percent
  double earned = 0;
  double possible = 0;
  bool auto_failed = false;
};

// Throws std::invalid_argument when a criterion is missing, unknown or given twice, a score is
// off its scale, N/A is given where the scorecard does not allow it, or every criterion is N/A.
ReviewScore score_review(const Scorecard& card, const std::vector<store::QaCriterionScore>& scores);

}  // namespace omnigate::qa
