// Calibration: several reviewers score the same conversation with the same scorecard version;
// each is compared, criterion by criterion, with a reference — the median of the experts'
// scores when any review is marked expert, otherwise the median of all reviewers' scores.
// Deviations are in the criterion's own scale points (reviewer − reference): +1 on a 1–5
// criterion means one point more generous.
#pragma once

#include "qa/scorecard.hpp"
#include "store/qa_records.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::qa {

struct CriterionDeviation {
  std::string criterion;
  std::optional<int> score;         // nullopt: the reviewer said N/A
  std::optional<double> deviation;  // nullopt when the score or the reference is N/A
};

struct ReviewerDeviation {
  std::string reviewer;
  store::Id review_id = 0;
  bool expert = false;
  double overall = 0;
  double overall_deviation = 0;   // overall − the reference overall, in percentage points
  double mean_abs_deviation = 0;  // over the criteria with a deviation (0 when none has one)
  std::vector<CriterionDeviation> criteria;
};

struct CalibrationReport {
  std::string reference;                                          // "expert" or "median"
  std::map<std::string, std::optional<double>> reference_scores;  // by criterion
  double reference_overall = 0;
  std::vector<ReviewerDeviation> reviewers;  // in the order given
};

double median(std::vector<double> values);  // of a non-empty list

// `reviews` all scored with `card` (the caller groups them by scorecard version); non-empty.
CalibrationReport calibrate(const Scorecard& card, const std::vector<store::QaReview>& reviews);

}  // namespace omnigate::qa
