#include "service/contact_log_api.hpp"

#include "api/audit_call.hpp"
#include "api/json_response.hpp"
#include "api/period_params.hpp"
#include "api/report_export_audit.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::service {

namespace {

using api::Caller;
using nlohmann::json;
using store::Role;

}  // namespace

struct ContactLogApi::Impl : std::enable_shared_from_this<ContactLogApi::Impl> {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  // The agent who had the contact logs it, also after it ended (that is when it is due);
  // supervisors and admins may log for them.
  void log(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = api::id_param(req, reply);
    if (!id) return;
    const std::string text = std::to_string(*id);
    const auto conv = store.get_conversation(*id);
    if (!conv) return reply(api::error_response(404, "not_found", "no conversation " + text));
    if (c.user.limited_to_own_work() &&
        (!c.user.agent_id || conv->assigned_agent != c.user.agent_id))
      return reply(api::error_response(403, "forbidden",
                                       "conversation " + text + " is not assigned to you"));
    auto body = api::parse_contact_log_body(req.body);
    if (!body.value) return reply(api::body_error(body.error));
    store::ContactLogEntry entry{*id, std::move(body.value->classification),
                                 std::move(body.value->note), c.actor(), now_ms()};
    store.log_contact(
        std::move(entry), [self = shared_from_this(), c, from = req.remote_addr,
                           object = "conversation:" + text, reply](store::Outcome<int> r) {
          if (!r.ok) return reply(api::error_response(409, "conflict", r.error));
          api::audit_call(self->store, c, from, "contact.log", object, {{"settled", r.value}});
          reply(api::json_response(201, {{"settled", r.value}}));
        });
  }

  void report(const http::Request& req, const Caller& c, http::Reply reply) {
    const store::UnixMs now = now_ms();
    auto period = api::period_params(req, now, api::kDefaultReportSpanMs);
    if (auto* bad = std::get_if<http::Response>(&period)) return reply(std::move(*bad));
    const auto p = std::get<api::Period>(period);
    api::audit_report_export(store, c, req, "contact-logging", p);
    json agents = json::array();
    for (const auto& f : store.contact_logging_figures(p.from, p.to, now)) {
      const int decided = f.contacts - f.pending;  // due already, or logged
      agents.push_back(
          {{"agent", f.agent},
           {"contacts", f.contacts},
           {"logged_in_time", f.in_time},
           {"logged_late", f.late},
           {"missing", f.missing},
           {"pending", f.pending},
           {"compliance",
            decided == 0 ? json(nullptr) : json(static_cast<double>(f.in_time) / decided)}});
    }
    reply(api::json_response(200, {{"from", p.from}, {"to", p.to}, {"agents", std::move(agents)}}));
  }
};

ContactLogApi::ContactLogApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {}

ContactLogApi::~ContactLogApi() = default;

void ContactLogApi::register_routes(http::Router& router) {
  using R = Role;
  router.add("POST", "/api/v1/conversations/{id}/contact-log",
             api::guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::log));
  router.add("GET", "/api/v1/reports/contact-logging",
             api::guarded_method(impl_, {R::supervisor, R::admin}, &Impl::report));
}

}  // namespace omnigate::service
