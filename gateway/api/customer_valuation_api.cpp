#include "api/customer_valuation_api.hpp"

#include "api/audit_call.hpp"
#include "api/json_response.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;
using store::Role;

json reason_of(const std::string& reason_json) {
  json reason = json::parse(reason_json, nullptr, /*allow_exceptions=*/false);
  return reason.is_discarded() ? json::object() : reason;
}

json run_json(const store::ValuationRun& r) {
  return {{"started_at", r.started_at},  {"finished_at", r.finished_at},
          {"trigger", r.trigger},        {"actor", r.actor},
          {"valued", r.valued},          {"changed", r.changed},
          {"kept_manual", r.kept_manual}};
}

}  // namespace

struct CustomerValuationApi::Impl : std::enable_shared_from_this<CustomerValuationApi::Impl> {
  store::Store& store;
  customers::ValuationScheduler* scheduler;

  Impl(store::Store& s, customers::ValuationScheduler* v) : store(s), scheduler(v) {}

  void run(const http::Request& req, const Caller& c, http::Reply reply) {
    if (!scheduler)
      return reply(error_response(409, "conflict", "[customers.valuation] is not configured"));
    audit_call(store, c, req.remote_addr, "customers.valuation", "customers");
    scheduler->run_now("api", c.actor(), [reply](store::Outcome<customers::ValuationOutcome> r) {
      if (!r.ok) return reply(error_response(500, "valuation_failed", r.error));
      json changes = json::array();
      for (const auto& change : r.value.changes)
        changes.push_back({{"customer_id", change.after.id},
                           {"old_tier", store::to_string(change.before.tier)},
                           {"new_tier", store::to_string(change.after.tier)}});
      reply(json_response(200, {{"run", run_json(r.value.run)}, {"changes", std::move(changes)}}));
    });
  }

  void last_run(const http::Request&, const Caller&, http::Reply reply) {
    const auto run = store.last_valuation_run();
    reply(json_response(200, {{"configured", scheduler != nullptr},
                              {"last_run", run ? run_json(*run) : json(nullptr)}}));
  }

  void tier_history(const http::Request& req, const Caller&, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const std::string text = std::to_string(*id);
    if (!store.get_customer(*id))
      return reply(error_response(404, "not_found", "no customer " + text));
    json changes = json::array();
    for (const auto& t : store.tier_changes(*id))
      changes.push_back({{"old_tier", store::to_string(t.old_tier)},
                         {"new_tier", store::to_string(t.new_tier)},
                         {"source", store::to_string(t.source)},
                         {"actor", t.actor},
                         {"reason", reason_of(t.reason_json)},
                         {"at", t.at}});
    reply(json_response(200, {{"customer_id", *id}, {"tier_changes", std::move(changes)}}));
  }
};

CustomerValuationApi::CustomerValuationApi(store::Store& store,
                                           customers::ValuationScheduler* scheduler)
    : impl_(std::make_shared<Impl>(store, scheduler)) {}

CustomerValuationApi::~CustomerValuationApi() = default;

void CustomerValuationApi::register_routes(http::Router& router) {
  using R = Role;
  router.add("POST", "/api/v1/admin/customers/valuation",
             guarded_method(impl_, {R::admin}, &Impl::run));
  router.add("GET", "/api/v1/admin/customers/valuation",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::last_run));
  router.add("GET", "/api/v1/customers/{id}/tier-history",
             guarded_method(impl_, {R::supervisor, R::qa, R::admin}, &Impl::tier_history));
}

}  // namespace omnigate::api
