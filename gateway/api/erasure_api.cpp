#include "api/erasure_api.hpp"

#include "api/audit_call.hpp"
#include "api/json_response.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

// A reason is a legal basis or a case reference, not a letter.
constexpr std::size_t kMaxReasonBytes = 500;

// {"reason": "..."}: nullopt with the 400 sent otherwise.
std::optional<std::string> reason_of(const http::Request& req, const http::Reply& reply) {
  BodyError err;
  const auto body = parse_body_object(req.body, {"reason"}, err);
  if (!body) {
    reply(body_error(err));
    return std::nullopt;
  }
  const auto it = body->find("reason");
  if (it == body->end() || !it->is_string() || it->get<std::string>().empty()) {
    reply(
        error_response(400, "missing_field", "reason is required (a non-empty string)", "reason"));
    return std::nullopt;
  }
  std::string reason = it->get<std::string>();
  if (reason.size() > kMaxReasonBytes) {
    reply(error_response(413, "too_long",
                         "reason is longer than " + std::to_string(kMaxReasonBytes) + " bytes",
                         "reason"));
    return std::nullopt;
  }
  return reason;
}

}  // namespace

struct ErasureApi::Impl : std::enable_shared_from_this<ErasureApi::Impl> {
  store::Store& store;
  dispatch::RoutingDispatcher& routing;

  Impl(store::Store& s, dispatch::RoutingDispatcher& r) : store(s), routing(r) {}

  void erase(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto reason = reason_of(req, reply);
    if (!reason) return;
    store.erase_customer({*id, c.actor(), *reason, now_ms()},
                         [self = shared_from_this(), c, from = req.remote_addr, customer = *id,
                          why = *reason, reply](store::Outcome<store::ErasureOutcome> r) {
                           if (!r.ok) return reply(store_refusal(r.error));
                           for (const store::Id conversation : r.value.open_conversations)
                             self->routing.resolved(conversation);
                           // The fact of the erasure only: the record number, why, and how much
                           // went.
                           audit_call(self->store, c, from, "customer.erase",
                                      "customer:" + std::to_string(customer),
                                      {{"reason", why},
                                       {"customers", r.value.customers.size()},
                                       {"conversations", r.value.conversations.size()},
                                       {"messages", r.value.messages}});
                           reply(json_response(200, {{"customer_id", customer},
                                                     {"customers", r.value.customers},
                                                     {"conversations", r.value.conversations},
                                                     {"messages", r.value.messages},
                                                     {"attachment_files", r.value.attachment_files},
                                                     {"purged", r.value.purged}}));
                         });
  }

  void hold(const http::Request& req, const Caller& c, http::Reply reply, bool place) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto reason = reason_of(req, reply);
    if (!reason) return;
    store.set_legal_hold(
        {*id, place, c.actor(), *reason, now_ms()},
        [self = shared_from_this(), c, from = req.remote_addr, customer = *id, why = *reason, place,
         reply](store::Outcome<bool> r) {
          if (!r.ok) return reply(store_refusal(r.error));
          audit_call(self->store, c, from, place ? "customer.legal_hold" : "customer.legal_release",
                     "customer:" + std::to_string(customer),
                     {{"reason", why}, {"changed", r.value}});
          const auto current = self->store.legal_hold(customer);
          reply(json_response(200, {{"customer_id", customer},
                                    {"legal_hold", current ? json{{"reason", current->reason},
                                                                  {"actor", current->actor},
                                                                  {"since", current->since}}
                                                           : json(nullptr)},
                                    {"changed", r.value}}));
        });
  }

  void place_hold(const http::Request& req, const Caller& c, http::Reply reply) {
    hold(req, c, std::move(reply), true);
  }
  void lift_hold(const http::Request& req, const Caller& c, http::Reply reply) {
    hold(req, c, std::move(reply), false);
  }
};

ErasureApi::ErasureApi(store::Store& store, dispatch::RoutingDispatcher& routing)
    : impl_(std::make_shared<Impl>(store, routing)) {}

ErasureApi::~ErasureApi() = default;

void ErasureApi::register_routes(http::Router& router) {
  const std::initializer_list<store::Role> admin{store::Role::admin};
  router.add("POST", "/api/v1/customers/{id}/erase", guarded_method(impl_, admin, &Impl::erase));
  router.add("POST", "/api/v1/customers/{id}/legal-hold",
             guarded_method(impl_, admin, &Impl::place_hold));
  router.add("DELETE", "/api/v1/customers/{id}/legal-hold",
             guarded_method(impl_, admin, &Impl::lift_hold));
}

}  // namespace omnigate::api
