#include "qa/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace omnigate::qa {
namespace {

std::optional<int> score_of(const store::QaReview& r, const std::string& criterion) {
  for (const auto& s : r.scores) {
    if (s.criterion == criterion) return s.score;
  }
  return std::nullopt;
}

}  // namespace

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

CalibrationReport calibrate(const Scorecard& card, const std::vector<store::QaReview>& reviews) {
  if (reviews.empty()) throw std::invalid_argument("no reviews to calibrate");
  const bool has_expert =
      std::any_of(reviews.begin(), reviews.end(), [](const auto& r) { return r.expert; });
  CalibrationReport report;
  report.reference = has_expert ? "expert" : "median";
  std::vector<double> overalls;
  for (const auto& r : reviews) {
    if (!has_expert || r.expert) overalls.push_back(r.overall);
  }
  report.reference_overall = median(overalls);
  for (const auto& section : card.sections) {
    for (const auto& c : section.criteria) {
      std::vector<double> values;
      for (const auto& r : reviews) {
        if (has_expert && !r.expert) continue;
        if (const auto s = score_of(r, c.id)) values.push_back(*s);
      }
      report.reference_scores[c.id] =
          values.empty() ? std::nullopt : std::optional<double>(median(values));
    }
  }
  for (const auto& r : reviews) {
    ReviewerDeviation d;
    d.reviewer = r.reviewer;
    d.review_id = r.id;
    d.expert = r.expert;
    d.overall = r.overall;
    d.overall_deviation = r.overall - report.reference_overall;
    double total = 0;
    int counted = 0;
    for (const auto& section : card.sections) {
      for (const auto& c : section.criteria) {
        CriterionDeviation cd{c.id, score_of(r, c.id), std::nullopt};
        const auto& ref = report.reference_scores[c.id];
        if (cd.score && ref) {
          cd.deviation = *cd.score - *ref;
          total += std::abs(*cd.deviation);
          ++counted;
        }
        d.criteria.push_back(std::move(cd));
      }
    }
    d.mean_abs_deviation = counted ? total / counted : 0;
    report.reviewers.push_back(std::move(d));
  }
  return report;
}

}  // namespace omnigate::qa
