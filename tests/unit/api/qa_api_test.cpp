// The quality-review routes through the real Router with a real SQLite store: who may call
// what, the answers' shapes, the agent's acknowledgement and dispute of their own reviews only,
// a supervisor's resolution, and the audit of every change.
#include "api/qa_api.hpp"

#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;

namespace {

struct Qa {
  omnigate::testing::TempStore store;
  std::unique_ptr<api::QaApi> qa_api;
  http::Router router;
  store::Id conversation = 0;

  // quinn and rita review (qa; rita also works as agent a2), sue supervises, ann is agent a1.
  Qa() {
    testing::add_user(*store, "quinn", store::Role::qa, "");
    testing::add_user(*store, "rita", store::Role::qa, "a2");
    testing::add_user(*store, "sue", store::Role::supervisor, "");
    testing::add_user(*store, "ann", store::Role::agent, "a1");
    testing::add_user(*store, "bob", store::Role::agent, "a3");
    conversation =
        testing::customer_writes(*store, "sms", "+14155550100", "where is my refund", "SM1")
            .conversation_id;
    committed<store::Nothing>(
        [&](auto done) { store->assign_conversation(conversation, "a1", "{}", done); });
    qa_api = std::make_unique<api::QaApi>(*store);
    REQUIRE(testing::eventually([&] { return !store->list_qa_scorecards().empty(); }));
    qa_api->register_routes(router);
  }

  struct Result {
    int status = 0;
    json body;
  };
  Result call(const std::string& method, const std::string& target, const std::string& who,
              const json& body = nullptr) {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    if (!body.is_null()) req.body = body.dump();
    auto m = router.match(method, req.path);
    REQUIRE(m.handler != nullptr);
    req.params = m.params;
    req.headers.emplace_back("Authorization", "Bearer " + who + "-token");
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    auto r = f.get();
    return {r.status, json::parse(r.body)};
  }

  json review_body(int process) {
    return {{"conversation_id", conversation},
            {"scorecard_id", store->list_qa_scorecards().front().id},
            {"scores",
             {{{"criterion", "response_speed"}, {"score", 4}},
              {{"criterion", "service_attitude"}, {"score", 5}},
              {{"criterion", "problem_solving"}, {"score", 3}},
              {{"criterion", "process_completeness"}, {"score", process}},
              {{"criterion", "service_effect"}, {"score", nullptr}, {"comment", "no survey"}}}}};
  }

  bool audited(const std::string& actor, const std::string& action) {
    store::AuditFilter f;
    return testing::eventually([&] {
      for (const auto& e : store->list_audit(f))
        if (e.record.actor == actor && e.record.action == action) return true;
      return false;
    });
  }
};

}  // namespace

TEST_CASE("QA draws a sample with a seed and gets the same conversations back") {
  Qa t;
  const auto made = t.call("POST", "/api/v1/qa/samples", "quinn",
                           {{"name", "week 1"},
                            {"strategy", {{"kind", "per_agent"}, {"per_agent", 2}}},
                            {"filter", {{"channels", {"sms"}}}},
                            {"seed", 99},
                            {"reviewers", {"rita", "quinn"}}});
  REQUIRE(made.status == 201);
  CHECK(made.body["seed"] == 99);
  REQUIRE(made.body["items"].size() == 1);
  CHECK(made.body["items"][0]["conversation_id"] == t.conversation);
  CHECK(made.body["items"][0]["agent"] == "a1");
  CHECK(made.body["items"][0]["reviewer"] == "rita");
  const auto read = t.call("GET", "/api/v1/qa/samples/" + made.body["id"].dump(), "sue");
  CHECK(read.status == 200);
  CHECK(read.body["items"] == made.body["items"]);
  CHECK(read.body["strategy"] == json{{"kind", "per_agent"}, {"per_agent", 2}});
  CHECK(t.audited("quinn", "qa.sample.create"));

  CHECK(
      t.call("POST", "/api/v1/qa/samples", "ann", {{"strategy", {{"kind", "per_agent"}}}}).status ==
      403);
  const auto bad = t.call("POST", "/api/v1/qa/samples", "quinn",
                          {{"strategy", {{"kind", "targeted"}}}, {"filter", json::object()}});
  CHECK(bad.status == 400);
  CHECK(bad.body["error"] == "invalid_field");
  CHECK(t.call("POST", "/api/v1/qa/samples", "quinn",
               {{"strategy", {{"kind", "per_agent"}, {"per_agent", 1}}}, {"reviewers", {"ann"}}})
            .status == 400);
  const auto size =
      t.call("GET", "/api/v1/qa/sample-size?confidence=0.95&margin=0.05&population=1000", "quinn");
  CHECK(size.body["n"] == 278);
}

TEST_CASE("a review is scored from the weights, acknowledged or disputed by its agent only") {
  Qa t;
  const auto cards = t.call("GET", "/api/v1/qa/scorecards", "ann");
  REQUIRE(cards.status == 200);
  CHECK(cards.body["scorecards"][0]["name"] == "default");
  CHECK(cards.body["scorecards"][0]["version"] == 1);

  auto made = t.call("POST", "/api/v1/qa/reviews", "quinn", t.review_body(1));
  REQUIRE(made.status == 201);
  // 15 + 20 + 12.5 + 15 of 80 possible (service effect N/A).
  CHECK(made.body["overall"].get<double>() == Approx(62.5 / 80 * 100));
  CHECK(made.body["agent"] == "a1");
  CHECK(made.body["state"] == "submitted");
  const auto id = made.body["id"].dump();
  CHECK(t.audited("quinn", "qa.review.create"));

  // Agents see their own reviews only; another agent gets nothing and cannot act on it.
  CHECK(t.call("GET", "/api/v1/qa/reviews", "ann").body["reviews"].size() == 1);
  CHECK(t.call("GET", "/api/v1/qa/reviews?agent=a1", "bob").body["reviews"].empty());
  CHECK(t.call("GET", "/api/v1/qa/reviews/" + id, "bob").status == 404);
  CHECK(t.call("POST", "/api/v1/qa/reviews/" + id + "/acknowledge", "bob").status == 404);
  CHECK(t.call("POST", "/api/v1/qa/reviews/" + id + "/acknowledge", "quinn").status == 403);

  const auto disputed =
      t.call("POST", "/api/v1/qa/reviews/" + id + "/dispute", "ann", {{"reason", "I solved it"}});
  REQUIRE(disputed.status == 200);
  CHECK(disputed.body["state"] == "disputed");
  CHECK(t.call("POST", "/api/v1/qa/reviews/" + id + "/acknowledge", "ann").status == 409);
  CHECK(t.call("POST", "/api/v1/qa/reviews/" + id + "/resolve-dispute", "quinn",
               {{"outcome", "upheld"}})
            .status == 403);
  auto corrected = t.review_body(1)["scores"];
  corrected[2]["score"] = 5;
  const auto resolved =
      t.call("POST", "/api/v1/qa/reviews/" + id + "/resolve-dispute", "sue",
             {{"outcome", "upheld"}, {"note", "fixed on the call"}, {"scores", corrected}});
  REQUIRE(resolved.status == 200);
  CHECK(resolved.body["state"] == "dispute_upheld");
  CHECK(resolved.body["overall"].get<double>() == Approx(75.0 / 80 * 100));
  CHECK(t.audited("sue", "qa.review.resolve"));
  CHECK(t.audited("ann", "qa.review.dispute"));

  // No self-review: rita works as a2 — give her a conversation of a2 to try.
  committed<store::Nothing>(
      [&](auto done) { t.store->assign_conversation(t.conversation, "a2", "{}", done); });
  CHECK(t.call("POST", "/api/v1/qa/reviews", "rita", t.review_body(1)).status == 409);
}

TEST_CASE("calibration compares the reviewers of one conversation") {
  Qa t;
  REQUIRE(t.call("POST", "/api/v1/qa/reviews", "quinn", t.review_body(1)).status == 201);
  auto expert = t.review_body(0);
  expert["expert"] = true;
  REQUIRE(t.call("POST", "/api/v1/qa/reviews", "sue", expert).status == 201);
  const auto cal = t.call(
      "GET", "/api/v1/qa/calibration?conversation_id=" + std::to_string(t.conversation), "sue");
  REQUIRE(cal.status == 200);
  REQUIRE(cal.body["calibrations"].size() == 1);
  const auto& report = cal.body["calibrations"][0];
  CHECK(report["reference"] == "expert");
  CHECK(report["reviewers"][0]["reviewer"] == "quinn");
  CHECK(report["reviewers"][0]["criteria"][3]["deviation"] == 1);  // passed what the expert failed
  CHECK(report["reviewers"][0]["overall_deviation"].get<double>() == Approx(62.5 / 80 * 100));
  CHECK(t.call("GET", "/api/v1/qa/calibration", "sue").status == 400);
  CHECK(t.call("GET", "/api/v1/qa/calibration?conversation_id=1", "ann").status == 403);
}
