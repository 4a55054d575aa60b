#include "api/customer_merge_api.hpp"

#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>

namespace omnigate::api {

namespace {

using nlohmann::json;
using store::MergeSide;
using store::Role;

constexpr int kDefaultDuplicates = 100;
constexpr int kMaxDuplicates = 1000;
// The merge itself moves every conversation; the preview lists this many of them.
constexpr int kMaxPreviewConversations = 1000;

// The fields a merge may take from either side, as the preview names them.
constexpr std::array<const char*, 5> kMergeFields{"display_name", "tier", "attributes", "account",
                                                  "contacts"};

struct MergeRequest {
  store::CustomerMerge merge;
  bool dry_run = false;
};

MergeSide* side_of(store::CustomerMerge& m, std::string_view field) {
  if (field == "display_name") return &m.display_name;
  if (field == "tier") return &m.tier;
  if (field == "attributes") return &m.attributes;
  if (field == "account") return &m.account;
  if (field == "contacts") return &m.contacts;
  return nullptr;
}

// {"survivor_id": 1, "merged_id": 2, "take"?: {"<field>": "survivor"|"merged"}, "dry_run"?: b};
// nullopt with the 400 to send.
std::optional<MergeRequest> merge_request(const std::string& body, http::Response& error) {
  const json j = json::parse(body.empty() ? "{}" : body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    error = error_response(400, "invalid_json", "the body must be a JSON object");
    return std::nullopt;
  }
  MergeRequest out;
  for (const auto& [key, value] : j.items()) {
    if (key == "survivor_id" || key == "merged_id") {
      if (!value.is_number_integer() || value.get<store::Id>() <= 0) {
        error = error_response(400, "invalid_field", key + " must be a positive integer", key);
        return std::nullopt;
      }
      (key == "survivor_id" ? out.merge.survivor_id : out.merge.merged_id) = value.get<store::Id>();
    } else if (key == "dry_run") {
      if (!value.is_boolean()) {
        error = error_response(400, "invalid_field", "dry_run must be true or false", key);
        return std::nullopt;
      }
      out.dry_run = value.get<bool>();
    } else if (key == "take") {
      if (!value.is_object()) {
        error = error_response(400, "invalid_field", "take must be an object", key);
        return std::nullopt;
      }
      for (const auto& [field, side] : value.items()) {
        MergeSide* slot = side_of(out.merge, field);
        if (!slot) {
          error = error_response(400, "unknown_field",
                                 "take." + field +
                                     ": expected display_name, tier, attributes, account or "
                                     "contacts",
                                 "take." + field);
          return std::nullopt;
        }
        if (side != "survivor" && side != "merged") {
          error = error_response(400, "invalid_field",
                                 "take." + field + " must be \"survivor\" or \"merged\"",
                                 "take." + field);
          return std::nullopt;
        }
        *slot = side == "merged" ? MergeSide::merged : MergeSide::survivor;
      }
    } else {
      error = error_response(400, "unknown_field", "unknown field " + key, key);
      return std::nullopt;
    }
  }
  for (const char* key : {"survivor_id", "merged_id"}) {
    if (!j.contains(key)) {
      error = error_response(400, "missing_field", std::string(key) + " is required", key);
      return std::nullopt;
    }
  }
  if (out.merge.survivor_id == out.merge.merged_id) {
    error =
        error_response(400, "invalid_field", "merged_id must differ from survivor_id", "merged_id");
    return std::nullopt;
  }
  return out;
}

json contacts_json(const std::vector<store::CustomerContact>& contacts) {
  json out = json::array();
  for (const auto& c : contacts)
    out.push_back({{"role", c.role}, {"agent_id", c.agent_id}, {"name", c.name}});
  return out;
}

// The merge field's value on one side, as the preview shows it.
json field_value(const char* field, const json& customer, const json& contacts) {
  const std::string_view f = field;
  if (f == "account")
    return {{"account_team", customer.at("account_team")},
            {"account_manager", customer.at("account_manager")}};
  if (f == "contacts") return contacts;
  return customer.at(field);
}

json merge_json(const store::CustomerMergeRecord& m) {
  return {{"id", m.id},
          {"survivor_id", m.survivor_id},
          {"merged_id", m.merged_id},
          {"actor", m.actor},
          {"merged_at", m.merged_at},
          {"undo_until", m.undo_until},
          {"undone_at", m.undone_at ? json(*m.undone_at) : json(nullptr)},
          {"undone_by", m.undone_by.empty() ? json(nullptr) : json(m.undone_by)},
          {"conversations", m.conversations},
          {"identities_moved", m.identities.size()}};
}

}  // namespace

struct CustomerMergeApi::Impl : std::enable_shared_from_this<CustomerMergeApi::Impl> {
  store::Store& store;
  dispatch::RoutingDispatcher& routing;
  store::UnixMs undo_window_ms;

  Impl(store::Store& s, dispatch::RoutingDispatcher& r, store::UnixMs w)
      : store(s), routing(r), undo_window_ms(w) {}

  void duplicates(const http::Request& req, const Caller&, http::Reply reply) {
    int limit = kDefaultDuplicates;
    if (const auto text = req.query_param("limit")) {
      const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
      if (ec != std::errc() || end != text->data() + text->size() || limit < 1 ||
          limit > kMaxDuplicates)
        return reply(error_response(400, "invalid_field", "limit must be an integer from 1 to 1000",
                                    "limit"));
    }
    json pairs = json::array();
    for (const auto& d : store.duplicate_customers(limit))
      pairs.push_back({{"customer_id", d.customer_id},
                       {"other_id", d.other_id},
                       {"reason", d.reason},
                       {"value", d.value}});
    reply(json_response(200, {{"duplicates", std::move(pairs)}}));
  }

  void merge(const http::Request& req, const Caller& c, http::Reply reply) {
    http::Response error;
    auto request = merge_request(req.body, error);
    if (!request) return reply(std::move(error));
    store::CustomerMerge& m = request->merge;
    const auto survivor = store.get_customer(m.survivor_id);
    const auto merged = store.get_customer(m.merged_id);
    for (const store::Id id : {m.survivor_id, m.merged_id}) {
      const auto& customer = id == m.survivor_id ? survivor : merged;
      if (!customer)
        return reply(error_response(404, "not_found", "no customer " + std::to_string(id)));
      if (customer->merged_into != 0)
        return reply(error_response(409, "conflict",
                                    "customer " + std::to_string(id) +
                                        " was merged into customer " +
                                        std::to_string(customer->merged_into) + " already"));
    }
    if (request->dry_run) return reply(json_response(200, preview(*survivor, *merged)));
    m.actor = c.actor();
    m.undo_window_ms = undo_window_ms;
    m.at = now_ms();
    json detail{{"survivor_id", m.survivor_id}, {"merged_id", m.merged_id}};
    for (const char* field : kMergeFields)
      detail["take"][field] = *side_of(m, field) == MergeSide::merged ? "merged" : "survivor";
    store.merge_customers(
        m, [self = shared_from_this(), reply, detail = std::move(detail), user = c.user.name,
            remote = req.remote_addr](store::Outcome<store::MergeOutcome> r) mutable {
          if (!r.ok) return reply(store_refusal(r.error));
          self->settled(r.value);
          detail["merge_id"] = r.value.merge.id;
          self->store.audit(
              {user, "customer.merge", "customer:" + std::to_string(r.value.merge.survivor_id),
               remote, detail.dump(), r.value.merge.merged_at},
              [](store::Outcome<store::Nothing>) {});
          reply(json_response(200, {{"merge", merge_json(r.value.merge)},
                                    {"survivor", customer_json(r.value.changes.front().after)}}));
        });
  }

  void get_merge(const http::Request& req, const Caller&, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto merge = store.get_customer_merge(*id);
    if (!merge)
      return reply(error_response(404, "not_found", "no customer merge " + std::to_string(*id)));
    reply(json_response(200, {{"merge", merge_json(*merge)}}));
  }

  void undo(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const store::UnixMs now = now_ms();
    store.undo_customer_merge(
        *id, c.actor(), now,
        [self = shared_from_this(), reply, user = c.user.name, remote = req.remote_addr,
         now](store::Outcome<store::MergeOutcome> r) {
          if (!r.ok) return reply(store_refusal(r.error));
          self->settled(r.value);
          self->store.audit(
              {user, "customer.merge_undo", "customer:" + std::to_string(r.value.merge.survivor_id),
               remote,
               json{{"merge_id", r.value.merge.id}, {"merged_id", r.value.merge.merged_id}}.dump(),
               now},
              [](store::Outcome<store::Nothing>) {});
          json customers = json::array();
          for (const auto& change : r.value.changes)
            customers.push_back(customer_json(change.after));
          reply(json_response(
              200, {{"merge", merge_json(r.value.merge)}, {"customers", std::move(customers)}}));
        });
  }

  // Routing learns each customer's new tier and account for their open conversations.
  void settled(const store::MergeOutcome& outcome) {
    for (const auto& change : outcome.changes) routing.customer_changed(change);
  }

  // Both records, what differs between them (the caller chooses with "take"), and what the
  // merge would move.
  json preview(const store::Customer& survivor, const store::Customer& merged) {
    const json s = customer_json(survivor), m = customer_json(merged);
    const json s_contacts = contacts_json(store.customer_contacts(survivor.id));
    const json m_contacts = contacts_json(store.customer_contacts(merged.id));
    json conflicts = json::array();
    for (const char* field : kMergeFields) {
      json a = field_value(field, s, s_contacts), b = field_value(field, m, m_contacts);
      if (a != b) conflicts.push_back({{"field", field}, {"survivor", a}, {"merged", b}});
    }
    store::ConversationFilter filter;
    filter.customer_id = merged.id;
    filter.limit = kMaxPreviewConversations;
    json conversations = json::array();
    for (const auto& conv : store.list_conversations(filter)) conversations.push_back(conv.id);
    return {{"dry_run", true},
            {"survivor", s},
            {"merged", m},
            {"conflicts", std::move(conflicts)},
            {"conversations_moved", std::move(conversations)},
            {"identities_moved", m.at("identities")},
            {"undo_hours", undo_window_ms / 3600000}};
  }
};

CustomerMergeApi::CustomerMergeApi(store::Store& store, dispatch::RoutingDispatcher& routing,
                                   store::UnixMs undo_window_ms)
    : impl_(std::make_shared<Impl>(store, routing, undo_window_ms)) {}

CustomerMergeApi::~CustomerMergeApi() = default;

void CustomerMergeApi::register_routes(http::Router& router) {
  using R = Role;
  router.add("GET", "/api/v1/customers/duplicates",
             guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::duplicates));
  router.add("POST", "/api/v1/customers/merge",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::merge));
  router.add("GET", "/api/v1/customers/merges/{id}",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::get_merge));
  router.add("POST", "/api/v1/customers/merges/{id}/undo",
             guarded_method(impl_, {R::supervisor, R::admin}, &Impl::undo));
}

}  // namespace omnigate::api
