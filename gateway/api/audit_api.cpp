#include "api/audit_api.hpp"

#include "api/json_response.hpp"
#include "api/period_params.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace omnigate::api {

namespace {

using nlohmann::json;

constexpr int kDefaultAuditPage = 100;

json audit_entry_json(const store::AuditEntry& e) {
  // detail_json is what the writer stored as JSON; an unreadable one is shown as text.
  json detail = json::parse(e.record.detail_json, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = e.record.detail_json;
  return {{"id", e.id},
          {"actor", e.record.actor},
          {"action", e.record.action},
          {"object", e.record.object},
          {"remote_addr", e.record.remote_addr},
          {"detail", std::move(detail)},
          {"at", e.record.at}};
}

}  // namespace

struct AuditApi::Impl {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  void list(const http::Request& req, const Caller&, http::Reply reply) {
    store::AuditFilter f;
    // The whole log unless a period is named (rows stamped by a clock since set back included).
    if (req.query_param("from") || req.query_param("to")) {
      const store::UnixMs now = now_ms() + 1;
      auto period = period_params(req, now, now);
      if (auto* error = std::get_if<http::Response>(&period)) return reply(std::move(*error));
      f.from = std::get<Period>(period).from;
      f.to = std::get<Period>(period).to;
    }
    f.actor = req.query_param("actor").value_or("");
    f.action = req.query_param("action").value_or("");
    f.limit = kDefaultAuditPage;
    if (auto v = req.query_param("limit")) {
      const auto n = parse_list_limit(*v);
      if (!n)
        return reply(error_response(400, "invalid_field",
                                    "limit must be 1.." + std::to_string(kMaxListLimit), "limit"));
      f.limit = *n;
    }
    if (auto v = req.query_param("before")) {
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), f.before_id);
      if (ec != std::errc() || end != v->data() + v->size() || f.before_id <= 0)
        return reply(
            error_response(400, "invalid_field", "before must be a positive audit id", "before"));
    }
    const auto rows = store.list_audit(f);
    json entries = json::array();
    for (const auto& e : rows) entries.push_back(audit_entry_json(e));
    // A full page may have more behind it: the next page starts below its last id.
    const json next =
        static_cast<int>(rows.size()) == f.limit ? json(rows.back().id) : json(nullptr);
    reply(json_response(200, {{"entries", std::move(entries)}, {"next_before", next}}));
  }
};

AuditApi::AuditApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {}

AuditApi::~AuditApi() = default;

void AuditApi::register_routes(http::Router& router) {
  router.add("GET", "/api/v1/admin/audit",
             guarded_method(impl_, {store::Role::admin}, &Impl::list));
}

}  // namespace omnigate::api
