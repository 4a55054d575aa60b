#include "api/qa_api.hpp"

#include "api/json_response.hpp"
#include "api/qa_views.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"
#include "qa/calibration.hpp"
#include "qa/conversation_filter_json.hpp"
#include "qa/draw_sample.hpp"
#include "qa/response_speed_prefill.hpp"
#include "qa/review_scoring.hpp"
#include "qa/reviewer_rotation.hpp"
#include "qa/sample_size.hpp"
#include "qa/scorecard.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <random>

namespace omnigate::api {
namespace {

using nlohmann::json;
using store::Role;

// Seeds stay below 2^53 so that every JSON client reads them back exactly.
constexpr std::int64_t kMaxSeed = (std::int64_t{1} << 53) - 1;
constexpr std::size_t kMaxReviewers = 100;
constexpr std::size_t kMaxCommentBytes = 10000;

std::optional<json> object_body(const http::Request& req, http::Reply& reply) {
  json j = json::parse(req.body.empty() ? "{}" : req.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    reply(error_response(400, "invalid_json", "the body must be a JSON object"));
    return std::nullopt;
  }
  return j;
}

std::string comment_field(const json& j, const char* field) {
  if (!j.contains(field)) return {};
  if (!j.at(field).is_string() || j.at(field).get<std::string>().size() > kMaxCommentBytes)
    throw std::invalid_argument(std::string(field) + " must be a string of at most " +
                                std::to_string(kMaxCommentBytes) + " bytes");
  return j.at(field).get<std::string>();
}

std::optional<store::Id> positive_id(const json& j, const char* field) {
  if (!j.contains(field) || j.at(field).is_null()) return std::nullopt;
  if (!j.at(field).is_number_integer() || j.at(field).get<std::int64_t>() <= 0)
    throw std::invalid_argument(std::string(field) + " must be a positive integer");
  return j.at(field).get<store::Id>();
}

std::optional<store::Id> id_query(const http::Request& req, const char* name) {
  const auto v = req.query_param(name);
  if (!v || v->empty()) return std::nullopt;
  store::Id id = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || end != v->data() + v->size() || id <= 0)
    throw std::invalid_argument(std::string(name) + " must be a positive integer");
  return id;
}

double number_query(const http::Request& req, const char* name) {
  const auto v = req.query_param(name);
  if (!v || v->empty()) throw std::invalid_argument(std::string(name) + " is required");
  try {
    std::size_t used = 0;
    const double d = std::stod(*v, &used);
    if (used == v->size()) return d;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(std::string(name) + " must be a number");
}

std::vector<store::QaCriterionScore> scores_from_json(const json& j) {
  if (!j.is_array()) throw std::invalid_argument("scores must be an array");
  std::vector<store::QaCriterionScore> out;
  for (const auto& s : j) {
    if (!s.is_object() || !s.contains("criterion") || !s.at("criterion").is_string())
      throw std::invalid_argument("each score needs a criterion");
    store::QaCriterionScore score{s.at("criterion").get<std::string>(), std::nullopt,
                                  comment_field(s, "comment")};
    const auto& v = s.value("score", json());
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 5)
      score.score = v.get<int>();
    else if (!v.is_null())
      throw std::invalid_argument("score of " + score.criterion + " must be an integer or null");
    out.push_back(std::move(score));
  }
  return out;
}

// The agent whose work a conversation is: who holds it, else who last held it.
std::string agent_of(const store::Conversation& c) {
  return c.assigned_agent.value_or(c.previous_agent.value_or(""));
}

bool reviews_others(const Caller& c) {
  return c.user.has_role(Role::qa) || c.user.has_role(Role::supervisor) ||
         c.user.has_role(Role::admin);
}

// The caller's own work, as QA reviews name it.
bool is_reviewed_agent(const Caller& c, const store::QaReview& r) {
  return c.user.agent_id && !r.agent.empty() && *c.user.agent_id == r.agent;
}

}  // namespace

struct QaApi::Impl : std::enable_shared_from_this<QaApi::Impl> {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  void audit(const Caller& c, const http::Request& req, const char* action, std::string object,
             json detail) {
    store.audit({c.user.name, action, std::move(object), req.remote_addr, detail.dump(), now_ms()},
                [](store::Outcome<store::Nothing>) {});
  }

  std::optional<qa::Scorecard> scorecard(store::Id id) {
    const auto stored = store.get_qa_scorecard(id);
    if (!stored) return std::nullopt;
    return qa::scorecard_from_json(json::parse(stored->definition_json));
  }

  // ---- samples

  void create_sample(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto body = object_body(req, reply);
    if (!body) return;
    store::QaSample sample;
    qa::SamplingStrategy strategy;
    store::QaConversationFilter filter;
    std::vector<qa::Reviewer> reviewers;
    try {
      strategy = qa::strategy_from_json(body->value("strategy", json()));
      filter = qa::conversation_filter_from_json(body->value("filter", json()));
      if (strategy.kind == qa::SamplingStrategy::Kind::targeted && !filter.targeted())
        throw std::invalid_argument(
            "a targeted sample needs filter.targets, filter.min_handle_ms or filter.keyword");
      sample.name = comment_field(*body, "name");
      if (body->contains("seed")) {
        const auto& s = body->at("seed");
        if (!s.is_number_integer() || s.get<std::int64_t>() < 0 || s.get<std::int64_t>() > kMaxSeed)
          throw std::invalid_argument("seed must be an integer 0..2^53-1");
        sample.seed = s.get<std::int64_t>();
      } else {
        std::random_device rd;
        sample.seed = static_cast<std::int64_t>(((static_cast<std::uint64_t>(rd()) << 32) | rd()) &
                                                static_cast<std::uint64_t>(kMaxSeed));
      }
      const auto& names = body->value("reviewers", json::array());
      if (!names.is_array() || names.size() > kMaxReviewers)
        throw std::invalid_argument("reviewers must be an array of at most 100 user names");
      for (const auto& n : names) {
        const auto user = n.is_string() ? store.get_user(n.get<std::string>()) : std::nullopt;
        if (!user || !(user->has_role(Role::qa) || user->has_role(Role::supervisor) ||
                       user->has_role(Role::admin)))
          throw std::invalid_argument("reviewer " + n.dump() +
                                      " is not a user holding qa, supervisor or admin");
        reviewers.push_back({user->name, user->agent_id.value_or("")});
      }
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    auto drawn = qa::draw_sample(strategy, store.qa_conversations(filter), sample.seed);
    std::vector<std::string> agents;
    for (const auto& d : drawn.items) agents.push_back(d.conversation.agent);
    const auto assigned = reviewers.empty() ? std::vector<std::string>(agents.size())
                                            : qa::assign_reviewers(agents, reviewers);
    for (std::size_t i = 0; i < drawn.items.size(); ++i) {
      sample.items.push_back({drawn.items[i].conversation.id, drawn.items[i].conversation.agent,
                              drawn.items[i].stratum, assigned[i]});
    }
    sample.strategy_json = qa::to_json(strategy).dump();
    sample.filter_json = qa::to_json(filter).dump();
    sample.created_by = c.user.name;
    sample.created_at = now_ms();
    json shortfalls = drawn.shortfalls;
    auto self = shared_from_this();
    store.save_qa_sample(
        sample, [self, sample, shortfalls, c, req, reply](store::Outcome<store::Id> r) mutable {
          if (!r.ok) return reply(error_response(500, "store_error", r.error));
          sample.id = r.value;
          self->audit(c, req, "qa.sample.create", "qa_sample:" + std::to_string(r.value),
                      {{"seed", sample.seed}, {"items", sample.items.size()}});
          json out = qa_sample_json(sample);
          out["shortfalls"] = shortfalls;
          reply(json_response(201, out));
        });
  }

  void get_sample(const http::Request& req, const Caller&, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto s = store.get_qa_sample(*id);
    if (!s) return reply(error_response(404, "not_found", "no sample " + std::to_string(*id)));
    reply(json_response(200, qa_sample_json(*s)));
  }

  void sample_size(const http::Request& req, const Caller&, http::Reply reply) {
    try {
      std::optional<std::int64_t> population;
      if (req.query_param("population")) population = *id_query(req, "population");
      const auto a =
          qa::sample_size(number_query(req, "confidence"), number_query(req, "margin"), population);
      reply(json_response(200, {{"n", a.n}, {"n0", a.n0}, {"z", a.z}}));
    } catch (const std::invalid_argument& e) {
      reply(error_response(400, "invalid_field", e.what()));
    }
  }

  // ---- scorecards

  void list_scorecards(const http::Request&, const Caller&, http::Reply reply) {
    json out = json::array();
    for (const auto& card : store.list_qa_scorecards()) out.push_back(qa_scorecard_json(card));
    reply(json_response(200, {{"scorecards", out}}));
  }

  void add_scorecard(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto body = object_body(req, reply);
    if (!body) return;
    qa::Scorecard card;
    try {
      card = qa::scorecard_from_json(*body);
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    auto self = shared_from_this();
    store.add_qa_scorecard({0, card.name, 0, qa::to_json(card).dump(), c.user.name, now_ms()},
                           [self, c, req, reply](store::Outcome<store::QaScorecard> r) {
                             if (!r.ok) return reply(error_response(500, "store_error", r.error));
                             self->audit(c, req, "qa.scorecard.create",
                                         "qa_scorecard:" + std::to_string(r.value.id),
                                         {{"name", r.value.name}, {"version", r.value.version}});
                             reply(json_response(201, qa_scorecard_json(r.value)));
                           });
  }

  // ---- reviews

  void create_review(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto body = object_body(req, reply);
    if (!body) return;
    store::QaReview review;
    try {
      const auto conversation_id = positive_id(*body, "conversation_id");
      const auto scorecard_id = positive_id(*body, "scorecard_id");
      if (!conversation_id || !scorecard_id)
        throw std::invalid_argument("conversation_id and scorecard_id are required");
      const auto conversation = store.get_conversation(*conversation_id);
      if (!conversation)
        return reply(error_response(404, "not_found",
                                    "no conversation " + std::to_string(*conversation_id)));
      const auto card = scorecard(*scorecard_id);
      if (!card)
        return reply(
            error_response(404, "not_found", "no scorecard " + std::to_string(*scorecard_id)));
      review.agent = agent_of(*conversation);
      if (c.user.agent_id && !review.agent.empty() && *c.user.agent_id == review.agent)
        return reply(error_response(409, "self_review", "a review of one's own work is refused"));
      review.scores = scores_from_json(body->value("scores", json()));
      const auto result = qa::score_review(*card, review.scores);
      review.overall = result.overall;
      review.auto_failed = result.auto_failed;
      review.conversation_id = *conversation_id;
      review.scorecard_id = *scorecard_id;
      review.sample_id = positive_id(*body, "sample_id");
      review.comment = comment_field(*body, "comment");
      const auto& expert = body->value("expert", json(false));
      if (!expert.is_boolean()) throw std::invalid_argument("expert must be a boolean");
      review.expert = expert.get<bool>();
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    review.reviewer = c.user.name;
    review.created_at = review.updated_at = now_ms();
    auto self = shared_from_this();
    store.save_qa_review(review, [self, c, req, reply](store::Outcome<store::Id> r) {
      if (!r.ok) return reply(error_response(409, "conflict", r.error));
      self->audit(c, req, "qa.review.create", "qa_review:" + std::to_string(r.value),
                  json::object());
      reply(json_response(201, qa_review_json(*self->store.get_qa_review(r.value))));
    });
  }

  void list_reviews(const http::Request& req, const Caller& c, http::Reply reply) {
    store::QaReviewFilter f;
    try {
      f.conversation_id = id_query(req, "conversation_id");
      f.sample_id = id_query(req, "sample_id");
      if (const auto limit = id_query(req, "limit"))
        f.limit = static_cast<int>(std::min<store::Id>(*limit, 1000));
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    f.reviewer = req.query_param("reviewer").value_or("");
    f.agent = req.query_param("agent").value_or("");
    f.state = req.query_param("state").value_or("");
    // An agent sees the reviews of their own work only.
    json out = json::array();
    if (!reviews_others(c)) {
      if (!c.user.agent_id) return reply(json_response(200, {{"reviews", out}}));
      f.agent = *c.user.agent_id;
    }
    for (const auto& r : store.list_qa_reviews(f)) out.push_back(qa_review_json(r));
    reply(json_response(200, {{"reviews", out}}));
  }

  // The review named by {id} that the caller may see; otherwise the error is sent.
  std::optional<store::QaReview> visible_review(const http::Request& req, const Caller& c,
                                                http::Reply& reply) {
    const auto id = id_param(req, reply);
    if (!id) return std::nullopt;
    auto r = store.get_qa_review(*id);
    // Not the caller's to see reads the same as absent: ids of others' reviews are not leaked.
    if (!r || (!reviews_others(c) && !is_reviewed_agent(c, *r))) {
      reply(error_response(404, "not_found", "no review " + std::to_string(*id)));
      return std::nullopt;
    }
    return r;
  }

  void get_review(const http::Request& req, const Caller& c, http::Reply reply) {
    if (const auto r = visible_review(req, c, reply)) reply(json_response(200, qa_review_json(*r)));
  }

  void change(const http::Request& req, const Caller& c, http::Reply reply,
              store::QaReviewChange change, const char* action) {
    auto self = shared_from_this();
    store.change_qa_review(std::move(change),
                           [self, c, req, reply, action](store::Outcome<store::QaReview> r) {
                             if (!r.ok) return reply(error_response(409, "conflict", r.error));
                             self->audit(c, req, action, "qa_review:" + std::to_string(r.value.id),
                                         {{"state", r.value.state}});
                             reply(json_response(200, qa_review_json(r.value)));
                           });
  }

  void acknowledge(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto r = visible_review(req, c, reply);
    if (!r) return;
    if (!is_reviewed_agent(c, *r))
      return reply(error_response(403, "not_reviewed_agent",
                                  "only the reviewed agent acknowledges a review"));
    change(
        req, c, reply,
        {r->id, "submitted", "acknowledged", c.user.name, "", "", std::nullopt, 0, false, now_ms()},
        "qa.review.acknowledge");
  }

  void dispute(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto r = visible_review(req, c, reply);
    if (!r) return;
    if (!is_reviewed_agent(c, *r))
      return reply(
          error_response(403, "not_reviewed_agent", "only the reviewed agent disputes a review"));
    const auto body = object_body(req, reply);
    if (!body) return;
    std::string reason;
    try {
      reason = comment_field(*body, "reason");
      if (reason.empty()) throw std::invalid_argument("reason is required");
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    change(
        req, c, reply,
        {r->id, "submitted", "disputed", c.user.name, reason, "", std::nullopt, 0, false, now_ms()},
        "qa.review.dispute");
  }

  void resolve_dispute(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto r = visible_review(req, c, reply);
    if (!r) return;
    if (is_reviewed_agent(c, *r))
      return reply(error_response(403, "own_review",
                                  "a dispute of one's own review is "
                                  "resolved by another supervisor"));
    const auto body = object_body(req, reply);
    if (!body) return;
    store::QaReviewChange ch{r->id, "disputed",   "", c.user.name, "",
                             "",    std::nullopt, 0,  false,       now_ms()};
    try {
      const std::string outcome = body->value("outcome", std::string());
      if (outcome != "upheld" && outcome != "rejected")
        throw std::invalid_argument("outcome must be upheld or rejected");
      ch.to = "dispute_" + outcome;
      ch.resolution_note = comment_field(*body, "note");
      if (body->contains("scores")) {
        if (outcome != "upheld")
          throw std::invalid_argument("corrected scores come only with an upheld dispute");
        const auto card = scorecard(r->scorecard_id);
        ch.scores = scores_from_json(body->at("scores"));
        const auto result = qa::score_review(*card, *ch.scores);
        ch.overall = result.overall;
        ch.auto_failed = result.auto_failed;
      }
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    change(req, c, reply, std::move(ch), "qa.review.resolve");
  }

  // ---- calibration and pre-fill

  void calibration(const http::Request& req, const Caller&, http::Reply reply) {
    store::QaReviewFilter f;
    f.limit = 10000;
    try {
      f.conversation_id = id_query(req, "conversation_id");
      f.sample_id = id_query(req, "sample_id");
      if (!f.conversation_id && !f.sample_id)
        throw std::invalid_argument("conversation_id or sample_id is required");
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    // One report per conversation and scorecard version scored by two reviewers or more.
    std::map<std::pair<store::Id, store::Id>, std::vector<store::QaReview>> groups;
    for (auto& r : store.list_qa_reviews(f))
      groups[{r.conversation_id, r.scorecard_id}].push_back(std::move(r));
    json out = json::array();
    for (const auto& [key, reviews] : groups) {
      if (reviews.size() < 2) continue;
      const auto card = scorecard(key.second);
      json report = calibration_json(qa::calibrate(*card, reviews));
      report["conversation_id"] = key.first;
      report["scorecard_id"] = key.second;
      out.push_back(std::move(report));
    }
    reply(json_response(200, {{"calibrations", out}}));
  }

  void prefill(const http::Request& req, const Caller&, http::Reply reply) {
    std::optional<store::Id> conversation_id, scorecard_id;
    try {
      conversation_id = id_query(req, "conversation_id");
      scorecard_id = id_query(req, "scorecard_id");
      if (!conversation_id || !scorecard_id)
        throw std::invalid_argument("conversation_id and scorecard_id are required");
    } catch (const std::invalid_argument& e) {
      return reply(error_response(400, "invalid_field", e.what()));
    }
    const auto conv = store.get_conversation(*conversation_id);
    const auto card = scorecard(*scorecard_id);
    if (!conv || !card)
      return reply(error_response(404, "not_found", "no such conversation or scorecard"));
    store::QaConversation facts;
    facts.created_at = conv->created_at;
    facts.first_response_at = conv->first_response_at;
    facts.first_response_due = conv->first_response_due;
    json scores = json::array();
    for (const auto& section : card->sections) {
      for (const auto& criterion : section.criteria) {
        if (criterion.prefill != "first_response_sla") continue;
        if (const auto s = qa::prefill_response_speed(criterion.scale, facts))
          scores.push_back({{"criterion", criterion.id}, {"score", *s}});
      }
    }
    reply(json_response(200, {{"scores", scores}}));
  }
};

QaApi::QaApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {
  if (store.list_qa_scorecards().empty()) {
    const auto card = qa::default_scorecard();
    store.add_qa_scorecard({0, card.name, 0, qa::to_json(card).dump(), "system", now_ms()},
                           [](store::Outcome<store::QaScorecard>) {});
  }
}

QaApi::~QaApi() = default;

void QaApi::register_routes(http::Router& router) {
  using Fn = void (Impl::*)(const http::Request&, const Caller&, http::Reply);
  const auto route = [&](const char* method, const std::string& path,
                         std::initializer_list<Role> roles, Fn fn) {
    router.add(method, "/api/v1/qa" + path, guarded_method(impl_, roles, fn));
  };
  const auto reviewers = {Role::qa, Role::supervisor, Role::admin};
  const auto everyone = {Role::agent, Role::qa, Role::supervisor, Role::admin};
  route("POST", "/samples", reviewers, &Impl::create_sample);
  route("GET", "/samples/{id}", reviewers, &Impl::get_sample);
  route("GET", "/sample-size", reviewers, &Impl::sample_size);
  route("GET", "/scorecards", everyone, &Impl::list_scorecards);
  route("POST", "/scorecards", reviewers, &Impl::add_scorecard);
  route("POST", "/reviews", reviewers, &Impl::create_review);
  route("GET", "/reviews", everyone, &Impl::list_reviews);
  route("GET", "/reviews/{id}", everyone, &Impl::get_review);
  route("POST", "/reviews/{id}/acknowledge", everyone, &Impl::acknowledge);
  route("POST", "/reviews/{id}/dispute", everyone, &Impl::dispute);
  route("POST", "/reviews/{id}/resolve-dispute", {Role::supervisor, Role::admin},
        &Impl::resolve_dispute);
  route("GET", "/calibration", reviewers, &Impl::calibration);
  route("GET", "/prefill", reviewers, &Impl::prefill);
}

}  // namespace omnigate::api
