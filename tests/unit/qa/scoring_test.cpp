// Check 2 of issue 19 (the pure part): weighted totals, N/A, auto-fail, the response-speed
// pre-fill and calibration deviations.
#include "qa/calibration.hpp"
#include "qa/response_speed_prefill.hpp"
#include "qa/review_scoring.hpp"
#include "qa/scorecard.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;
using namespace omnigate::qa;

namespace {

// weights 20 / 20 / 25 / 15 / 20; process_completeness binary auto-fail; service_effect N/A ok.
std::vector<store::QaCriterionScore> scores(std::optional<int> speed, std::optional<int> attitude,
                                            std::optional<int> solving, std::optional<int> process,
                                            std::optional<int> effect) {
  return {{"response_speed", speed, ""},
          {"service_attitude", attitude, ""},
          {"problem_solving", solving, ""},
          {"process_completeness", process, ""},
          {"service_effect", effect, "customer said thanks"}};
}

store::QaReview review(std::string reviewer, bool expert, std::vector<store::QaCriterionScore> s) {
  store::QaReview r;
  r.reviewer = std::move(reviewer);
  r.expert = expert;
  r.overall = score_review(default_scorecard(), s).overall;
  r.scores = std::move(s);
  return r;
}

}  // namespace

TEST_CASE("the overall score is the weighted share of the points possible") {
  const auto card = default_scorecard();
  // speed 5 → 20, attitude 3 → 10, solving 4 → 18.75, process yes → 15, effect 1 → 0.
  const auto r = score_review(card, scores(5, 3, 4, 1, 1));
  CHECK(r.earned == Approx(63.75));
  CHECK(r.possible == Approx(100));
  CHECK(r.overall == Approx(63.75));
  CHECK_FALSE(r.auto_failed);
  CHECK(score_review(card, scores(5, 5, 5, 1, 5)).overall == Approx(100));
}

TEST_CASE("an N/A criterion's points leave the total") {
  const auto card = default_scorecard();
  // Without service_effect the possible points are 80: 63.75 / 80.
  const auto r = score_review(card, scores(5, 3, 4, 1, std::nullopt));
  CHECK(r.possible == Approx(80));
  CHECK(r.overall == Approx(63.75 / 80 * 100));
  // N/A only where the scorecard allows it.
  CHECK_THROWS_WITH(score_review(card, scores(std::nullopt, 3, 4, 1, 5)),
                    "criterion response_speed cannot be N/A");
}

TEST_CASE("a failed auto-fail criterion makes the review 0%") {
  const auto r = score_review(default_scorecard(), scores(5, 5, 5, 0, 5));
  CHECK(r.auto_failed);
  CHECK(r.overall == 0);
  CHECK(r.earned == Approx(85));  // what it would have been is kept for the reviewer
}

TEST_CASE("a review must score every criterion once, on its scale") {
  const auto card = default_scorecard();
  auto s = scores(5, 3, 4, 1, 1);
  s.pop_back();
  CHECK_THROWS_WITH(score_review(card, s), "criterion service_effect is not scored");
  s = scores(5, 3, 4, 1, 1);
  s.push_back({"response_speed", 4, ""});
  CHECK_THROWS_WITH(score_review(card, s), "criterion response_speed is scored twice");
  CHECK_THROWS_WITH(score_review(card, scores(6, 3, 4, 1, 1)),
                    "criterion response_speed takes 1..5");
  CHECK_THROWS_WITH(score_review(card, scores(5, 3, 4, 2, 1)),
                    "criterion process_completeness takes 0..1");
  s = scores(5, 3, 4, 1, 1);
  s.push_back({"empathy", 4, ""});
  CHECK_THROWS_WITH(score_review(card, s), "unknown criterion empathy");
}

TEST_CASE("scorecards are checked and round-trip through JSON") {
  const auto card = default_scorecard();
  const auto again = scorecard_from_json(to_json(card));
  CHECK(to_json(again) == to_json(card));
  auto j = to_json(card);
  j["sections"][1]["criteria"][0]["weight"] = 0;
  CHECK_THROWS_WITH(scorecard_from_json(j),
                    "sections[1].criteria[0].weight must be a number in (0, 1000]");
  j = to_json(card);
  j["sections"][0]["criteria"][0]["scale"] = "1-10";
  CHECK_THROWS_WITH(scorecard_from_json(j), "sections[0].criteria[0].scale must be binary or 1-5");
  j = to_json(card);
  j["sections"][2]["criteria"][1]["id"] = "problem_solving";
  CHECK_THROWS_WITH(scorecard_from_json(j), "criterion id problem_solving appears twice");
}

TEST_CASE("response speed is pre-filled from the first response against the SLA deadline") {
  store::QaConversation c;
  c.created_at = 0;
  c.first_response_due = 1000;                                // 1 s allowed
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 1);  // never answered
  c.first_response_at = 1000;
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 5);
  CHECK(prefill_response_speed(Scale::binary, c) == 1);
  c.first_response_at = 1250;
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 4);
  CHECK(prefill_response_speed(Scale::binary, c) == 0);
  c.first_response_at = 1500;
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 3);
  c.first_response_at = 2000;
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 2);
  c.first_response_at = 2001;
  CHECK(prefill_response_speed(Scale::one_to_five, c) == 1);
  c.first_response_due.reset();
  CHECK_FALSE(prefill_response_speed(Scale::one_to_five, c).has_value());
}

TEST_CASE("calibration: each reviewer's deviation from the expert, per criterion") {
  const auto card = default_scorecard();
  const std::vector<store::QaReview> reviews{
      review("erin", true, scores(4, 4, 4, 1, 4)),
      review("quinn", false, scores(5, 3, 4, 1, std::nullopt)),
      review("rita", false, scores(2, 4, 5, 0, 3)),
  };
  const auto report = calibrate(card, reviews);
  CHECK(report.reference == "expert");
  CHECK(report.reference_scores.at("response_speed") == 4);
  CHECK(report.reference_overall == Approx(reviews[0].overall));
  const auto& quinn = report.reviewers[1];
  CHECK(quinn.criteria[0].deviation == 1);   // response_speed 5 vs 4
  CHECK(quinn.criteria[1].deviation == -1);  // attitude 3 vs 4
  CHECK(quinn.criteria[2].deviation == 0);
  CHECK_FALSE(quinn.criteria[4].deviation.has_value());  // N/A
  CHECK(quinn.mean_abs_deviation == Approx(0.5));        // (1 + 1 + 0 + 0) / 4
  const auto& rita = report.reviewers[2];
  CHECK(rita.criteria[0].deviation == -2);
  CHECK(rita.criteria[3].deviation == -1);  // failed the process step the expert passed
  CHECK(rita.overall == 0);
  CHECK(rita.overall_deviation == Approx(-reviews[0].overall));
  CHECK(rita.mean_abs_deviation == Approx((2 + 0 + 1 + 1 + 1) / 5.0));
  CHECK(report.reviewers[0].mean_abs_deviation == 0);
}

TEST_CASE("calibration without an expert compares with the median") {
  const auto card = default_scorecard();
  const auto report = calibrate(
      card, {review("a", false, scores(1, 4, 4, 1, 4)),
             review("b", false, scores(3, 4, 4, 1, std::nullopt)),
             review("c", false, scores(4, 2, 4, 1, 5)), review("d", false, scores(5, 4, 4, 1, 5))});
  CHECK(report.reference == "median");
  CHECK(report.reference_scores.at("response_speed") == 3.5);  // even count: middle two
  CHECK(report.reference_scores.at("service_effect") == 5);    // N/A leaves the median
  CHECK(report.reviewers[0].criteria[0].deviation == -2.5);
  CHECK(report.reviewers[2].criteria[1].deviation == -2);
}
