#include "service/complaint_api.hpp"

#include "api/audit_call.hpp"
#include "api/json_response.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"
#include "service/complaint_json.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::service {
namespace {

using api::Caller;
using api::error_response;
using api::json_response;
using nlohmann::json;
using store::Role;

constexpr std::size_t kMaxText = 2000;  // matter, contact, reasons, reports: a summary

// The request's JSON object, or the 400 to answer.
std::optional<json> object_body(const http::Request& req, http::Reply& reply) {
  json j = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    reply(error_response(400, "invalid_json", "the body must be a JSON object"));
    return std::nullopt;
  }
  return j;
}

// body[key] as text ("" when absent); nullopt after answering 400/413.
std::optional<std::string> text_field(const json& body, const char* key, bool required,
                                      http::Reply& reply) {
  if (!body.contains(key) || body.at(key).is_null()) {
    if (!required) return std::string();
    reply(error_response(400, "missing_field", std::string(key) + " is required", key));
    return std::nullopt;
  }
  if (!body.at(key).is_string()) {
    reply(error_response(400, "invalid_field", std::string(key) + " must be a string", key));
    return std::nullopt;
  }
  auto s = body.at(key).get<std::string>();
  if (required && s.empty()) {
    reply(error_response(400, "missing_field", std::string(key) + " must not be empty", key));
    return std::nullopt;
  }
  if (s.size() > kMaxText) {
    reply(error_response(413, "too_large",
                         std::string(key) + " is longer than " + std::to_string(kMaxText), key));
    return std::nullopt;
  }
  return s;
}

http::Response outcome_response(const ComplaintOutcome& o) {
  if (o.status >= 400) {
    return error_response(o.status,
                          o.status == 404   ? "not_found"
                          : o.status == 409 ? "conflict"
                                            : "store_failed",
                          o.error);
  }
  return json_response(o.status, {{"complaint", o.complaint}});
}

}  // namespace

struct ComplaintApi::Impl : std::enable_shared_from_this<ComplaintApi::Impl> {
  store::Store& store;
  ComplaintService& complaints;

  Impl(store::Store& s, ComplaintService& c) : store(s), complaints(c) {}

  http::Endpoint guarded(std::initializer_list<Role> roles, api::AuthedHandler handler) {
    return api::guarded(weak_from_this(), roles, std::move(handler));
  }

  // Agents act only on complaints about the conversations assigned to them.
  bool agent_may(const Caller& c, store::Id conversation_id) {
    if (!c.user.limited_to_own_work()) return true;
    const auto conv = store.get_conversation(conversation_id);
    return conv && c.user.agent_id && conv->assigned_agent == c.user.agent_id;
  }

  // Files the parsed body's complaint about conversation `conv_id`: 201 with the complaint.
  void file_complaint(const http::Request& req, const Caller& c, http::Reply reply,
                      store::Id conv_id, api::ComplaintBody body) {
    if (!agent_may(c, conv_id))
      return reply(error_response(
          403, "forbidden", "conversation " + std::to_string(conv_id) + " is not assigned to you"));
    Filing f;
    f.conversation_id = conv_id;
    f.actor = c.actor();
    f.matter = std::move(body.matter);
    f.contact = std::move(body.contact);
    f.complainant = std::move(body.complainant);
    f.channel = std::move(body.channel);
    f.major = body.major;
    api::audit_call(store, c, req.remote_addr, "complaint.file",
                    "conversation:" + std::to_string(conv_id));
    complaints.file(std::move(f), [reply](ComplaintOutcome o) { reply(outcome_response(o)); });
  }

  // POST /complaints {"conversation_id", "matter", "contact"?, "complainant"?, "channel"?,
  // "severity"?}
  void file(const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = api::parse_complaint_body(req.body, api::ComplaintConversation::in_body);
    if (!body.value) return reply(api::body_error(body.error));
    const auto conv_id = body.value->conversation_id;
    file_complaint(req, c, std::move(reply), conv_id, std::move(*body.value));
  }

  // POST /conversations/{id}/complaint: the same without conversation_id.
  void file_on_conversation(const http::Request& req, const Caller& c, http::Reply reply) {
    auto id = api::id_param(req, reply);
    if (!id) return;
    auto body = api::parse_complaint_body(req.body, api::ComplaintConversation::in_path);
    if (!body.value) return reply(api::body_error(body.error));
    file_complaint(req, c, std::move(reply), *id, std::move(*body.value));
  }

  void list(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string status = req.query_param("status").value_or("");
    if (!status.empty() && status != "open" && status != "closed")
      return reply(error_response(400, "invalid_field", "status must be open or closed", "status"));
    json out = json::array();
    for (const auto& row : store.list_complaints(status)) {
      if (!agent_may(c, row.conversation_id)) continue;
      auto j = json::parse(row.record_json);
      j["id"] = row.id;
      out.push_back(std::move(j));
    }
    reply(json_response(200, {{"complaints", out}}));
  }

  void get(const http::Request& req, const Caller& c, http::Reply reply) {
    auto id = api::id_param(req, reply);
    if (!id) return;
    const auto row = store.get_complaint(*id);
    if (!row || !agent_may(c, row->conversation_id))
      return reply(error_response(404, "not_found", "no complaint " + std::to_string(*id)));
    auto j = json::parse(row->record_json);
    j["id"] = row->id;
    reply(json_response(200, {{"complaint", j}}));
  }

  // POST /complaints/{id}/<action>: `text_key` names the body's text for the action.
  void act(const http::Request& req, const Caller& c, http::Reply reply, ComplaintAction::Kind kind,
           const char* name, const char* text_key, bool text_required) {
    auto id = api::id_param(req, reply);
    if (!id) return;
    const auto row = store.get_complaint(*id);
    if (!row) return reply(error_response(404, "not_found", "no complaint " + std::to_string(*id)));
    if (!agent_may(c, row->conversation_id))
      return reply(error_response(403, "forbidden", "the complaint's conversation is not yours"));
    auto body = object_body(req, reply);
    if (!body) return;
    ComplaintAction a;
    a.kind = kind;
    a.actor = c.actor();
    if (text_key) {
      auto text = text_field(*body, text_key, text_required, reply);
      if (!text) return;
      a.text = *text;
    }
    if (kind == ComplaintAction::Kind::commitment && body->contains("fix_due")) {
      if (!body->at("fix_due").is_number_integer())
        return reply(
            error_response(400, "invalid_field", "fix_due must be Unix milliseconds", "fix_due"));
      a.fix_due = body->at("fix_due").get<store::UnixMs>();
    }
    api::audit_call(store, c, req.remote_addr, std::string("complaint.") + name,
                    "complaint:" + std::to_string(*id));
    complaints.act(*id, std::move(a), [reply](ComplaintOutcome o) { reply(outcome_response(o)); });
  }

  void put_contacts(const http::Request& req, const Caller& c, http::Reply reply) {
    auto id = api::id_param(req, reply);
    if (!id) return;
    auto body = object_body(req, reply);
    if (!body) return;
    if (!body->contains("contacts") || !body->at("contacts").is_array())
      return reply(error_response(400, "invalid_field", "contacts must be an array", "contacts"));
    std::vector<store::CustomerContact> contacts;
    for (const auto& e : body->at("contacts")) {
      if (!e.is_object() || !e.contains("role") || !e.at("role").is_string() ||
          !store::is_contact_role(e.at("role").get<std::string>()))
        return reply(error_response(
            400, "invalid_field",
            "each contact needs a role: account_director, account_manager, technical_expert, "
            "operations_specialist, technical_contact, service_director or executive",
            "contacts"));
      store::CustomerContact cc;
      cc.role = e.at("role").get<std::string>();
      for (auto [key, field] : {std::pair{"agent_id", &cc.agent_id}, std::pair{"name", &cc.name}}) {
        if (!e.contains(key)) continue;
        if (!e.at(key).is_string() || e.at(key).get<std::string>().size() > 200)
          return reply(error_response(400, "invalid_field",
                                      std::string(key) + " must be a string of at most 200",
                                      "contacts"));
        *field = e.at(key).get<std::string>();
      }
      contacts.push_back(std::move(cc));
    }
    store.set_customer_contacts(
        *id, contacts, c.actor(), [reply, contacts](store::Outcome<store::Nothing> r) {
          if (!r.ok) return reply(error_response(404, "not_found", r.error));
          json out = json::array();
          for (const auto& cc : contacts)
            out.push_back({{"role", cc.role}, {"agent_id", cc.agent_id}, {"name", cc.name}});
          reply(json_response(200, {{"contacts", out}}));
        });
  }

  void get_contacts(const http::Request& req, const Caller&, http::Reply reply) {
    auto id = api::id_param(req, reply);
    if (!id) return;
    if (!store.get_customer(*id))
      return reply(error_response(404, "not_found", "no customer " + std::to_string(*id)));
    json out = json::array();
    for (const auto& cc : store.customer_contacts(*id))
      out.push_back({{"role", cc.role}, {"agent_id", cc.agent_id}, {"name", cc.name}});
    reply(json_response(200, {{"contacts", out}}));
  }
};

ComplaintApi::ComplaintApi(store::Store& store, ComplaintService& complaints)
    : impl_(std::make_shared<Impl>(store, complaints)) {}

ComplaintApi::~ComplaintApi() = default;

void ComplaintApi::register_routes(http::Router& router) {
  using R = Role;
  using K = ComplaintAction::Kind;
  auto& i = *impl_;
  std::weak_ptr<Impl> weak = impl_;
  auto bind = [weak](void (Impl::*fn)(const http::Request&, const Caller&, http::Reply)) {
    return [weak, fn](const http::Request& req, const Caller& c, http::Reply reply) {
      if (auto self = weak.lock()) ((*self).*fn)(req, c, std::move(reply));
    };
  };
  auto action = [weak](K kind, const char* name, const char* text_key, bool required) {
    return [weak, kind, name, text_key, required](const http::Request& req, const Caller& c,
                                                  http::Reply reply) {
      if (auto self = weak.lock())
        self->act(req, c, std::move(reply), kind, name, text_key, required);
    };
  };
  const std::string base = "/api/v1/complaints";
  const std::initializer_list<Role> everyone = {R::agent, R::supervisor, R::qa, R::admin};
  router.add("POST", base, i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::file)));
  router.add("POST", "/api/v1/conversations/{id}/complaint",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::file_on_conversation)));
  router.add("GET", base, i.guarded(everyone, bind(&Impl::list)));
  router.add("GET", base + "/{id}", i.guarded(everyone, bind(&Impl::get)));
  router.add("POST", base + "/{id}/contact",
             i.guarded({R::agent, R::supervisor, R::admin},
                       action(K::contact, "contact", nullptr, false)));
  router.add("POST", base + "/{id}/escalate",
             i.guarded({R::supervisor, R::admin}, action(K::escalate, "escalate", "reason", true)));
  router.add("POST", base + "/{id}/commitment",
             i.guarded({R::supervisor, R::admin},
                       action(K::commitment, "commitment", "commitment", true)));
  router.add("POST", base + "/{id}/assign-executive",
             i.guarded({R::supervisor, R::admin},
                       action(K::assign_executive, "assign_executive", "executive", true)));
  router.add("POST", base + "/{id}/close",
             i.guarded({R::supervisor, R::admin}, action(K::close, "close", "report", false)));
  router.add("GET", "/api/v1/customers/{id}/contacts",
             i.guarded({R::supervisor, R::admin}, bind(&Impl::get_contacts)));
  router.add("PUT", "/api/v1/customers/{id}/contacts",
             i.guarded({R::supervisor, R::admin}, bind(&Impl::put_contacts)));
}

}  // namespace omnigate::service
