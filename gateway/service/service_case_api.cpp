#include "service/service_case_api.hpp"

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

constexpr std::size_t kMaxNoteChars = 2000;

json or_null(const std::optional<store::UnixMs>& t) {
  return t ? json(*t) : json(nullptr);
}

json case_json(const store::ServiceCase& c) {
  return {{"id", c.id},
          {"conversation_id", c.conversation_id},
          {"stage", c.stage},
          {"stage_since", c.stage_since},
          {"stage_due_at", or_null(c.stage_due_at)},
          {"overdue_at", or_null(c.overdue_at)},
          {"opened_at", c.opened_at},
          {"opened_by", c.opened_by}};
}

// {"stage"?: "...", "note"?: "..."}; nullopt with the 400 to send.
std::optional<std::pair<std::string, std::string>> stage_body(const std::string& body,
                                                              bool stage_required,
                                                              http::Response& error) {
  const json j = json::parse(body.empty() ? "{}" : body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    error = api::error_response(400, "invalid_json", "the body must be a JSON object");
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "stage" && key != "note") {
      error = api::error_response(400, "unknown_field", "unknown field " + key, key);
      return std::nullopt;
    }
    if (!value.is_string()) {
      error = api::error_response(400, "invalid_field", key + " must be a string", key);
      return std::nullopt;
    }
  }
  std::string stage = j.value("stage", ""), note = j.value("note", "");
  if (stage_required && stage.empty()) {
    error = api::error_response(400, "missing_field", "stage is required", "stage");
    return std::nullopt;
  }
  if (!stage.empty() && (!store::case_stage_index(stage) || stage == "received")) {
    error = api::error_response(400, "invalid_field",
                                "stage must be one of recorded, classified, solution_proposed, "
                                "confirmed, appointment, accepted, settled, follow_up, closed",
                                "stage");
    return std::nullopt;
  }
  if (note.size() > kMaxNoteChars * 4) {
    error = api::error_response(413, "too_large", "note is longer than 2000 characters", "note");
    return std::nullopt;
  }
  return std::pair{std::move(stage), std::move(note)};
}

}  // namespace

struct ServiceCaseApi::Impl : std::enable_shared_from_this<ServiceCaseApi::Impl> {
  store::Store& store;
  const ServiceCases& cases;

  Impl(store::Store& s, const ServiceCases& c) : store(s), cases(c) {}

  // Agents open cases on their own conversations and move them; supervisors and admins on any.
  bool may_work_on(const Caller& c, store::Id conversation_id, http::Reply& reply) {
    if (!c.user.limited_to_own_work()) return true;
    const auto conv = store.get_conversation(conversation_id);
    if (conv && c.user.agent_id && conv->assigned_agent == c.user.agent_id) return true;
    reply(api::error_response(
        403, "forbidden",
        "conversation " + std::to_string(conversation_id) + " is not assigned to you"));
    return false;
  }

  // Moves the case (opens it at stage "received" when m.case_id is 0); audited once it moved.
  void move(const http::Request& req, const Caller& c, store::CaseStageMove m, int status,
            http::Reply reply) {
    store.move_service_case(std::move(m), [self = shared_from_this(), c, from = req.remote_addr,
                                           reply, status](store::Outcome<store::ServiceCase> r) {
      if (!r.ok) return reply(api::error_response(409, "conflict", r.error));
      api::audit_call(self->store, c, from, status == 201 ? "case.open" : "case.stage",
                      "service_case:" + std::to_string(r.value.id),
                      {{"conversation_id", r.value.conversation_id}, {"stage", r.value.stage}});
      reply(api::json_response(status, case_json(r.value)));
    });
  }

  void open(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = api::id_param(req, reply);
    if (!id) return;
    if (!store.get_conversation(*id))
      return reply(api::error_response(404, "not_found", "no conversation " + std::to_string(*id)));
    if (!may_work_on(c, *id, reply)) return;
    http::Response error;
    const auto body = stage_body(req.body, false, error);
    if (!body) return reply(std::move(error));
    if (!body->first.empty())
      return reply(
          api::error_response(400, "unknown_field", "a case opens at stage received", "stage"));
    const store::UnixMs now = now_ms();
    move(req, c, {0, *id, "received", body->second, c.actor(), now, cases.due_at("received", now)},
         201, std::move(reply));
  }

  void advance(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = api::id_param(req, reply);
    if (!id) return;
    const auto existing = store.get_service_case(*id);
    if (!existing)
      return reply(api::error_response(404, "not_found", "no service case " + std::to_string(*id)));
    if (!may_work_on(c, existing->conversation_id, reply)) return;
    http::Response error;
    const auto body = stage_body(req.body, true, error);
    if (!body) return reply(std::move(error));
    const store::UnixMs now = now_ms();
    move(req, c,
         {*id, 0, body->first, body->second, c.actor(), now, cases.due_at(body->first, now)}, 200,
         std::move(reply));
  }

  void get(const http::Request& req, const Caller&, http::Reply reply) {
    const auto id = api::id_param(req, reply);
    if (!id) return;
    const auto c = store.get_service_case(*id);
    if (!c)
      return reply(api::error_response(404, "not_found", "no service case " + std::to_string(*id)));
    json stages = json::array();
    for (const auto& s : store.service_case_stages(*id))
      stages.push_back({{"stage", s.stage},
                        {"entered_at", s.entered_at},
                        {"entered_by", s.entered_by},
                        {"note", s.note},
                        {"due_at", or_null(s.due_at)},
                        {"left_at", or_null(s.left_at)}});
    json out = case_json(*c);
    out["stages"] = std::move(stages);
    reply(api::json_response(200, out));
  }

  void list(const http::Request& req, const Caller&, http::Reply reply) {
    store::ServiceCaseFilter f;
    f.now = now_ms();
    if (const auto status = req.query_param("status")) {
      if (*status != "open" && *status != "closed")
        return reply(
            api::error_response(400, "invalid_field", "status must be open or closed", "status"));
      f.open = *status == "open";
    }
    if (const auto overdue = req.query_param("overdue")) f.overdue_only = *overdue == "true";
    json out = json::array();
    for (const auto& c : store.list_service_cases(f)) out.push_back(case_json(c));
    reply(api::json_response(200, {{"service_cases", std::move(out)}}));
  }

  void report(const http::Request& req, const Caller& c, http::Reply reply) {
    const store::UnixMs now = now_ms();
    auto period = api::period_params(req, now, api::kDefaultReportSpanMs);
    if (auto* bad = std::get_if<http::Response>(&period)) return reply(std::move(*bad));
    const auto p = std::get<api::Period>(period);
    api::audit_report_export(store, c, req, "service-cases", p);
    json stages = json::array();
    for (const auto& f : store.case_stage_figures(p.from, p.to, now))
      stages.push_back({{"stage", f.stage},
                        {"entered", f.entered},
                        {"left_in_time", f.left_in_time},
                        {"left_late", f.left_late},
                        {"open_overdue", f.open_overdue},
                        {"avg_hours", f.avg_hours}});
    reply(api::json_response(200, {{"from", p.from}, {"to", p.to}, {"stages", std::move(stages)}}));
  }
};

ServiceCaseApi::ServiceCaseApi(store::Store& store, const ServiceCases& cases)
    : impl_(std::make_shared<Impl>(store, cases)) {}

ServiceCaseApi::~ServiceCaseApi() = default;

void ServiceCaseApi::register_routes(http::Router& router) {
  using R = Role;
  const std::string base = "/api/v1";
  router.add("POST", base + "/conversations/{id}/service-case",
             api::guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::open));
  router.add("POST", base + "/service-cases/{id}/stage",
             api::guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::advance));
  router.add("GET", base + "/service-cases/{id}",
             api::guarded_method(impl_, {R::agent, R::supervisor, R::qa, R::admin}, &Impl::get));
  router.add("GET", base + "/service-cases",
             api::guarded_method(impl_, {R::supervisor, R::qa, R::admin}, &Impl::list));
  router.add("GET", base + "/reports/service-cases",
             api::guarded_method(impl_, {R::supervisor, R::admin}, &Impl::report));
}

}  // namespace omnigate::service
