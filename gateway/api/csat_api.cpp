#include "api/csat_api.hpp"

#include "api/audit_call.hpp"
#include "api/json_response.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

json csat_json(const store::CsatRating& r) {
  return {{"conversation_id", r.conversation_id},
          {"rating", r.rating},
          {"source", r.source},
          {"actor", r.actor},
          {"received_at", r.received_at}};
}

}  // namespace

struct CsatApi::Impl : std::enable_shared_from_this<CsatApi::Impl> {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  // {"rating": 1..5}. An agent enters ratings of their own conversations only.
  void record(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const std::string text = std::to_string(*id);
    const auto conv = store.get_conversation(*id);
    if (!conv) return reply(error_response(404, "not_found", "no conversation " + text));
    if (c.user.limited_to_own_work() &&
        (!c.user.agent_id || conv->assigned_agent != c.user.agent_id))
      return reply(
          error_response(403, "forbidden", "conversation " + text + " is not assigned to you"));
    const json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (!body.is_object())
      return reply(error_response(400, "invalid_json", "the body must be a JSON object"));
    const auto& rating = body.value("rating", json());
    if (!rating.is_number_integer() || rating.get<std::int64_t>() < 1 ||
        rating.get<std::int64_t>() > 5)
      return reply(
          error_response(400, "invalid_field", "rating must be an integer 1..5", "rating"));
    store.save_csat({*id, rating.get<int>(), "agent", c.actor(), now_ms()}, [self =
                                                                                 shared_from_this(),
                                                                             c,
                                                                             from = req.remote_addr,
                                                                             object =
                                                                                 "conversation:" +
                                                                                 text,
                                                                             reply](store::Outcome<
                                                                                    store::
                                                                                        CsatRating>
                                                                                        r) {
      if (!r.ok) return reply(store_refusal(r.error));
      audit_call(self->store, c, from, "conversation.csat", object, {{"rating", r.value.rating}});
      reply(json_response(201, csat_json(r.value)));
    });
  }
};

CsatApi::CsatApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {}

CsatApi::~CsatApi() = default;

void CsatApi::register_routes(http::Router& router) {
  router.add(
      "POST", "/api/v1/conversations/{id}/csat",
      guarded_method(impl_, {store::Role::agent, store::Role::supervisor, store::Role::admin},
                     &Impl::record));
}

}  // namespace omnigate::api
