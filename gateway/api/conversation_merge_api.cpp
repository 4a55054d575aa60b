#include "api/conversation_merge_api.hpp"

#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/role_guard.hpp"
#include "api/workspace_bodies.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

using nlohmann::json;

struct ConversationMergeApi::Impl : std::enable_shared_from_this<ConversationMergeApi::Impl> {
  store::Store& store;
  dispatch::RoutingDispatcher& routing;

  Impl(store::Store& s, dispatch::RoutingDispatcher& r) : store(s), routing(r) {}

  void merge(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto into = id_param(req, reply);
    if (!into) return;
    auto body = parse_merge_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    const store::Id from = *body.value;
    if (from == *into)
      return reply(error_response(400, "invalid_field",
                                  "from must be another conversation than " + std::to_string(*into),
                                  "from"));
    // An agent merges only what is theirs: both conversations assigned to them.
    for (const store::Id id : {*into, from}) {
      const auto conv = store.get_conversation(id);
      if (!conv)
        return reply(error_response(404, "not_found", "no conversation " + std::to_string(id)));
      if (c.user.limited_to_own_work() &&
          (!c.user.agent_id || conv->assigned_agent != c.user.agent_id))
        return reply(error_response(
            403, "forbidden", "conversation " + std::to_string(id) + " is not assigned to you"));
    }
    const store::UnixMs at = now_ms();
    store.merge_conversations(
        {*into, from, c.actor(), at},
        [self = shared_from_this(), reply, into = *into, from, at, user = c.user.name,
         remote = req.remote_addr](store::Outcome<store::ConversationMergeResult> r) {
          if (!r.ok) return reply(store_refusal(r.error));
          if (r.value.resolved_from) self->routing.resolved(from);
          self->store.audit({user, "conversation.merge", "conversation:" + std::to_string(into),
                             remote, json{{"from", from}}.dump(), at},
                            [](store::Outcome<store::Nothing>) {});
          const auto survivor = self->store.get_conversation(into);
          if (!survivor)
            return reply(
                error_response(404, "not_found", "no conversation " + std::to_string(into)));
          reply(json_response(200, {{"conversation", conversation_json(*survivor)}}));
        });
  }
};

ConversationMergeApi::ConversationMergeApi(store::Store& store,
                                           dispatch::RoutingDispatcher& routing)
    : impl_(std::make_shared<Impl>(store, routing)) {}

ConversationMergeApi::~ConversationMergeApi() = default;

void ConversationMergeApi::register_routes(http::Router& router) {
  using R = store::Role;
  router.add("POST", "/api/v1/conversations/{id}/merge",
             guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::merge));
}

}  // namespace omnigate::api
