#include "api/canned_responses_api.hpp"

#include "api/json_response.hpp"
#include "api/role_guard.hpp"
#include "api/workspace_bodies.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

// A search term, not a document (as GET /conversations?q=).
constexpr std::size_t kMaxSearchTextBytes = 200;

json canned_json(const store::CannedResponse& r) {
  auto or_null = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  return {{"id", r.id},
          {"shortcut", r.shortcut},
          {"title", r.title},
          {"body", r.body},
          {"language", or_null(r.language)},
          {"team", or_null(r.team)},
          {"updated_by", r.updated_by},
          {"updated_at", r.updated_at}};
}

}  // namespace

struct CannedResponsesApi::Impl : std::enable_shared_from_this<CannedResponsesApi::Impl> {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  // An agent (not a supervisor) is offered their team's responses and everyone's.
  void list(const http::Request& req, const Caller& c, http::Reply reply) {
    store::CannedResponseFilter filter;
    if (auto q = req.query_param("q")) {
      if (q->size() > kMaxSearchTextBytes)
        return reply(error_response(
            400, "too_long", "q: at most " + std::to_string(kMaxSearchTextBytes) + " bytes", "q"));
      filter.text = std::move(*q);
    }
    if (auto language = req.query_param("language")) {
      if (!is_console_language(*language))
        return reply(
            error_response(400, "invalid_field", "language must be en or zh-CN", "language"));
      filter.language = std::move(*language);
    }
    if (c.user.limited_to_own_work()) {
      const auto agent = c.user.agent_id ? store.get_agent(*c.user.agent_id) : std::nullopt;
      filter.team = agent ? agent->team : std::string();
    }
    json out = json::array();
    for (const auto& r : store.list_canned_responses(filter)) out.push_back(canned_json(r));
    reply(json_response(200, {{"canned_responses", std::move(out)}}));
  }

  void create(const http::Request& req, const Caller& c, http::Reply reply) {
    save(0, req, c, std::move(reply));
  }

  void update(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    save(*id, req, c, std::move(reply));
  }

  void save(store::Id id, const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = parse_canned_response_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    store::CannedResponse r = std::move(*body.value);
    r.id = id;
    r.updated_by = c.user.name;
    r.updated_at = now_ms();
    store.save_canned_response(
        std::move(r), [self = shared_from_this(), reply, created = id == 0, user = c.user.name,
                       remote = req.remote_addr](store::Outcome<store::CannedResponse> out) {
          if (!out.ok) return reply(store_refusal(out.error));
          json view = canned_json(out.value);
          self->store.audit({user, created ? "canned_response.create" : "canned_response.update",
                             "canned_response:" + std::to_string(out.value.id), remote, view.dump(),
                             out.value.updated_at},
                            [](store::Outcome<store::Nothing>) {});
          reply(json_response(created ? 201 : 200, {{"canned_response", std::move(view)}}));
        });
  }

  void remove(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    store.delete_canned_response(
        *id, [self = shared_from_this(), reply, id = *id, user = c.user.name,
              remote = req.remote_addr](store::Outcome<store::Nothing> out) {
          if (!out.ok) return reply(store_refusal(out.error));
          self->store.audit({user, "canned_response.delete",
                             "canned_response:" + std::to_string(id), remote, "{}", now_ms()},
                            [](store::Outcome<store::Nothing>) {});
          reply(http::Response{204, "", "", {}});
        });
  }
};

CannedResponsesApi::CannedResponsesApi(store::Store& store)
    : impl_(std::make_shared<Impl>(store)) {}

CannedResponsesApi::~CannedResponsesApi() = default;

void CannedResponsesApi::register_routes(http::Router& router) {
  using R = store::Role;
  router.add("GET", "/api/v1/canned-responses",
             guarded_method(impl_, {R::agent, R::supervisor, R::qa, R::admin}, &Impl::list));
  router.add("POST", "/api/v1/canned-responses",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::create));
  router.add("PUT", "/api/v1/canned-responses/{id}",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::update));
  router.add("DELETE", "/api/v1/canned-responses/{id}",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::remove));
}

}  // namespace omnigate::api
