// Check 2 of issue 19 (the stored part): scorecard versions, reviews that keep the version they
// were scored with, N/A kept as N/A, the dispute flow, samples stored as drawn.
#include "qa/review_scoring.hpp"
#include "qa/scorecard.hpp"
#include "store_test_env.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;
using namespace omnigate::qa;
using namespace omnigate::store::test;

namespace {

store::QaScorecard add_version(store::Store& s, const Scorecard& card) {
  auto out = wait_for<store::QaScorecard>([&](store::Completion<store::QaScorecard> done) {
    s.add_qa_scorecard({0, card.name, 0, to_json(card).dump(), "lead", 1000}, done);
  });
  INFO(out.error);
  REQUIRE(out.ok);
  return out.value;
}

store::Id save_review(store::Store& s, const store::QaScorecard& stored,
                      std::vector<store::QaCriterionScore> scores, store::Id conversation) {
  const auto card = scorecard_from_json(nlohmann::json::parse(stored.definition_json));
  const auto result = score_review(card, scores);
  store::QaReview r;
  r.scorecard_id = stored.id;
  r.conversation_id = conversation;
  r.reviewer = "quinn";
  r.agent = "agent1";
  r.overall = result.overall;
  r.auto_failed = result.auto_failed;
  r.scores = std::move(scores);
  r.created_at = 2000;
  auto out = wait_for<store::Id>(
      [&](store::Completion<store::Id> done) { s.save_qa_review(std::move(r), done); });
  INFO(out.error);
  REQUIRE(out.ok);
  return out.value;
}

store::Outcome<store::QaReview> change(store::Store& s, store::QaReviewChange c) {
  return wait_for<store::QaReview>(
      [&](store::Completion<store::QaReview> done) { s.change_qa_review(std::move(c), done); });
}

}  // namespace

TEST_CASE("a new scorecard version leaves the reviews scored with the old one as they were") {
  StoreTestEnv env;
  auto& store = *env.store;
  const auto conv = ingest(store, sms("+14155550100", "SM1", "hi")).conversation_id;
  auto card = default_scorecard();
  const auto v1 = add_version(store, card);
  CHECK(v1.version == 1);
  const auto first = save_review(store, v1,
                                 {{"response_speed", 5, ""},
                                  {"service_attitude", 3, "curt"},
                                  {"problem_solving", 4, ""},
                                  {"process_completeness", 1, ""},
                                  {"service_effect", std::nullopt, ""}},
                                 conv);

  // Version 2 doubles attitude's weight and drops service effect.
  card.sections[1].criteria[0].weight = 40;
  card.sections.pop_back();
  const auto v2 = add_version(store, card);
  CHECK(v2.version == 2);
  CHECK(v2.id != v1.id);

  const auto old = store.get_qa_review(first);
  REQUIRE(old);
  CHECK(old->scorecard_id == v1.id);
  CHECK(old->overall == Approx(63.75 / 80 * 100));
  REQUIRE(old->scores.size() == 5);
  const auto na = std::find_if(old->scores.begin(), old->scores.end(),
                               [](const auto& s) { return s.criterion == "service_effect"; });
  CHECK_FALSE(na->score.has_value());
  const auto attitude = std::find_if(old->scores.begin(), old->scores.end(), [](const auto& s) {
    return s.criterion == "service_attitude";
  });
  CHECK(attitude->comment == "curt");
  // Its scorecard is still version 1, word for word.
  CHECK(store.get_qa_scorecard(old->scorecard_id)->definition_json == v1.definition_json);
  const auto all = store.list_qa_scorecards();
  REQUIRE(all.size() == 2);
  CHECK(all[0].version == 1);
  CHECK(all[1].version == 2);
  // The same scores under version 2: attitude weighs more, so the same review scores lower.
  const auto second = save_review(store, v2,
                                  {{"response_speed", 5, ""},
                                   {"service_attitude", 3, ""},
                                   {"problem_solving", 4, ""},
                                   {"process_completeness", 1, ""}},
                                  conv);
  CHECK(store.get_qa_review(second)->overall == Approx((20 + 20 + 18.75 + 15) / 100 * 100));
  CHECK(store.get_qa_review(first)->overall == Approx(63.75 / 80 * 100));
}

TEST_CASE("a review is acknowledged or disputed once, and a dispute is resolved once") {
  StoreTestEnv env;
  auto& store = *env.store;
  const auto conv = ingest(store, sms("+14155550100", "SM1", "hi")).conversation_id;
  const auto v1 = add_version(store, default_scorecard());
  const std::vector<store::QaCriterionScore> scores{{"response_speed", 2, ""},
                                                    {"service_attitude", 3, ""},
                                                    {"problem_solving", 4, ""},
                                                    {"process_completeness", 0, "no follow-up"},
                                                    {"service_effect", 3, ""}};
  const auto id = save_review(store, v1, scores, conv);
  CHECK(store.get_qa_review(id)->auto_failed);

  auto disputed = change(store, {id, "submitted", "disputed", "agent1", "I did follow up by phone",
                                 "", std::nullopt, 0, false, 3000});
  REQUIRE(disputed.ok);
  CHECK(disputed.value.state == "disputed");
  CHECK(disputed.value.dispute_reason == "I did follow up by phone");
  // Once disputed it cannot be acknowledged any more.
  const auto late_ack = change(
      store, {id, "submitted", "acknowledged", "agent1", "", "", std::nullopt, 0, false, 3100});
  CHECK_FALSE(late_ack.ok);
  CHECK(late_ack.error == "review " + std::to_string(id) + " is not submitted");

  // Upheld with the corrected step: the scores and overall are replaced.
  auto corrected = scores;
  corrected[3] = {"process_completeness", 1, "follow-up found in the call log"};
  const auto rescored = score_review(default_scorecard(), corrected);
  const auto upheld =
      change(store, {id, "disputed", "dispute_upheld", "sue", "", "call log shows the follow-up",
                     corrected, rescored.overall, rescored.auto_failed, 4000});
  REQUIRE(upheld.ok);
  CHECK(upheld.value.state == "dispute_upheld");
  CHECK(upheld.value.resolved_by == "sue");
  CHECK_FALSE(upheld.value.auto_failed);
  CHECK(upheld.value.overall == Approx(rescored.overall));
  CHECK(upheld.value.dispute_reason == "I did follow up by phone");
  CHECK(change(store,
               {id, "disputed", "dispute_rejected", "sue", "", "", std::nullopt, 0, false, 5000})
            .error == "review " + std::to_string(id) + " is not disputed");

  store::QaReviewFilter by_agent;
  by_agent.agent = "agent1";
  CHECK(store.list_qa_reviews(by_agent).size() == 1);
  by_agent.agent = "agent2";
  CHECK(store.list_qa_reviews(by_agent).empty());
}

TEST_CASE("a sample is stored with its strategy, filter, seed and items in draw order") {
  StoreTestEnv env;
  auto& store = *env.store;
  const auto a = ingest(store, sms("+14155550100", "SM1", "hi")).conversation_id;
  const auto b = ingest(store, sms("+14155550101", "SM2", "hi")).conversation_id;
  store::QaSample sample{0,
                         "week 1",
                         R"({"kind":"per_agent","per_agent":2})",
                         "{}",
                         77,
                         "lead",
                         1000,
                         {{b, "agent2", "", "quinn"}, {a, "agent1", "", "rita"}}};
  const auto saved = wait_for<store::Id>(
      [&](store::Completion<store::Id> done) { store.save_qa_sample(sample, done); });
  REQUIRE(saved.ok);
  const auto read = store.get_qa_sample(saved.value);
  REQUIRE(read);
  CHECK(read->seed == 77);
  CHECK(read->strategy_json == sample.strategy_json);
  REQUIRE(read->items.size() == 2);
  CHECK(read->items[0].conversation_id == b);
  CHECK(read->items[0].reviewer == "quinn");
  CHECK(read->items[1].conversation_id == a);
  CHECK_FALSE(store.get_qa_sample(saved.value + 1));
}
