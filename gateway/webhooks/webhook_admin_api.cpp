#include "webhooks/webhook_admin_api.hpp"

#include "api/json_response.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <map>

namespace omnigate::webhooks {

namespace {

using nlohmann::json;

constexpr std::array kStates{"pending", "sending", "retry", "delivered", "failed"};

bool known_state(const std::string& s) {
  for (const char* k : kStates)
    if (s == k) return true;
  return false;
}

json delivery_json(const store::WebhookDelivery& d) {
  return {{"id", d.id},
          {"subscription", d.subscription},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"state", d.state},
          {"attempts", d.attempts},
          {"next_attempt_at", d.next_attempt_at},
          {"last_status", d.last_status},
          {"last_error", d.last_error},
          {"created_at", d.created_at},
          {"delivered_at", d.delivered_at ? json(*d.delivered_at) : json(nullptr)},
          {"payload", json::parse(d.payload, nullptr, /*allow_exceptions=*/false)}};
}

json zero_counts() {
  json counts = json::object();
  for (const char* s : kStates) counts[s] = 0;
  return counts;
}

}  // namespace

struct WebhookAdminApi::Impl : std::enable_shared_from_this<WebhookAdminApi::Impl> {
  store::Store& store;
  const Subscriptions& subscriptions;
  std::function<void()> retried;

  Impl(store::Store& s, const Subscriptions& subs, std::function<void()> r)
      : store(s), subscriptions(subs), retried(std::move(r)) {}

  // Configured subscriptions first, then any that only deliveries still name (removed from the
  // config since); never the secret.
  void list(const http::Request&, const api::Caller&, http::Reply reply) {
    std::map<std::string, json> counts;
    for (const auto& c : store.webhook_delivery_counts()) {
      auto& entry = counts[c.subscription];
      if (entry.is_null()) entry = zero_counts();
      entry[c.state] = c.count;
    }
    json out = json::array();
    for (const auto& s : subscriptions.all()) {
      const auto it = counts.find(s.name);
      out.push_back({{"name", s.name},
                     {"url", s.url},
                     {"events", s.events},
                     {"timeout_ms", s.timeout_ms},
                     {"max_attempts", s.max_attempts},
                     {"allow_private_fetch", s.allow_private_fetch},
                     {"configured", true},
                     {"deliveries", it == counts.end() ? zero_counts() : it->second}});
      if (it != counts.end()) counts.erase(it);
    }
    for (auto& [name, c] : counts)
      out.push_back({{"name", name}, {"configured", false}, {"deliveries", std::move(c)}});
    reply(api::json_response(200, {{"webhooks", out}}));
  }

  void deliveries(const http::Request& req, const api::Caller&, http::Reply reply) {
    store::WebhookDeliveryFilter filter;
    if (auto s = req.query_param("state"); s && !s->empty()) {
      if (!known_state(*s))
        return reply(api::error_response(
            400, "invalid_field", "state must be one of pending, sending, retry, delivered, failed",
            "state"));
      filter.state = *s;
    }
    if (auto s = req.query_param("subscription"); s && !s->empty()) filter.subscription = *s;
    if (auto v = req.query_param("limit")) {
      const auto n = api::parse_list_limit(*v);
      if (!n)
        return reply(api::error_response(400, "invalid_field",
                                         "limit must be 1.." + std::to_string(api::kMaxListLimit),
                                         "limit"));
      filter.limit = *n;
    }
    json out = json::array();
    for (const auto& d : store.list_webhook_deliveries(filter)) out.push_back(delivery_json(d));
    reply(api::json_response(200, {{"deliveries", out}}));
  }

  void retry(const http::Request& req, const api::Caller& c, http::Reply reply) {
    const auto id = api::id_param(req, reply);
    if (!id) return;
    const auto d = store.get_webhook_delivery(*id);
    if (!d)
      return reply(
          api::error_response(404, "not_found", "no webhook delivery " + std::to_string(*id)));
    if (d->state != "failed")
      return reply(api::error_response(
          409, "conflict",
          "webhook delivery " + std::to_string(*id) + " is " + d->state + ", not failed"));
    auto self = shared_from_this();
    store.retry_webhook_delivery(*id, c.actor(), now_ms(),
                                 [self, reply](store::Outcome<store::WebhookDelivery> r) {
                                   // Lost a race with another retry: still a conflict.
                                   if (!r.ok)
                                     return reply(api::error_response(409, "conflict", r.error));
                                   if (self->retried) self->retried();
                                   reply(api::json_response(200, delivery_json(r.value)));
                                 });
  }
};

WebhookAdminApi::WebhookAdminApi(store::Store& store, const Subscriptions& subscriptions,
                                 std::function<void()> retried)
    : impl_(std::make_shared<Impl>(store, subscriptions, std::move(retried))) {}

WebhookAdminApi::~WebhookAdminApi() = default;

void WebhookAdminApi::register_routes(http::Router& router) {
  auto route = [&](const char* method, const std::string& path,
                   void (Impl::*fn)(const http::Request&, const api::Caller&, http::Reply)) {
    router.add(method, "/api/v1" + path, api::guarded_method(impl_, {store::Role::admin}, fn));
  };
  route("GET", "/admin/webhooks", &Impl::list);
  route("GET", "/admin/webhooks/deliveries", &Impl::deliveries);
  route("POST", "/admin/webhooks/deliveries/{id}/retry", &Impl::retry);
}

}  // namespace omnigate::webhooks
