#include "api/quarantine_api.hpp"

#include "api/json_response.hpp"
#include "api/quarantine_view.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace omnigate::api {

namespace {

using nlohmann::json;

std::string path_param(const http::Request& req, const std::string& name) {
  const auto it = req.params.find(name);
  return it == req.params.end() ? std::string() : it->second;
}

bool known_status(const std::string& s) {
  return s == "suspect" || s == "quarantined" || s == "released" || s == "dropped";
}

json state_json(const store::PluginInstanceState& s) {
  return {{"instance", s.instance},
          {"disabled", s.disabled},
          {"reason", s.reason},
          {"changed_at", s.changed_at},
          {"changed_by", s.changed_by}};
}

}  // namespace

struct QuarantineApi::Impl : std::enable_shared_from_this<QuarantineApi::Impl> {
  store::Store& store;
  std::function<void()> on_change;

  Impl(store::Store& s, std::function<void()> changed) : store(s), on_change(std::move(changed)) {}

  void changed() const {
    if (on_change) on_change();
  }

  void list(const http::Request& req, const Caller&, http::Reply reply) {
    store::QuarantineFilter filter;
    if (auto i = req.query_param("instance"); i && !i->empty()) filter.instance = *i;
    if (auto s = req.query_param("status"); s && !s->empty()) {
      if (!known_status(*s))
        return reply(error_response(400, "invalid_field",
                                    "status must be one of suspect, quarantined, released, dropped",
                                    "status"));
      filter.status = *s;
    }
    if (auto v = req.query_param("limit")) {
      const auto n = parse_list_limit(*v);
      if (!n)
        return reply(error_response(400, "invalid_field",
                                    "limit must be 1.." + std::to_string(kMaxListLimit), "limit"));
      filter.limit = *n;
    }
    json out = json::array();
    for (const auto& e : store.list_quarantine(filter)) out.push_back(quarantine_entry_json(e));
    reply(json_response(200, {{"quarantine", out}}));
  }

  // The entry named by {id}; otherwise the error is sent.
  std::optional<store::QuarantineEntry> entry(const http::Request& req, http::Reply& reply) {
    const auto id = id_param(req, reply);
    if (!id) return std::nullopt;
    const std::string text = std::to_string(*id);
    auto e = store.get_quarantine(*id);
    if (!e) reply(error_response(404, "not_found", "no quarantine entry " + text));
    return e;
  }

  void get(const http::Request& req, const Caller&, http::Reply reply) {
    if (const auto e = entry(req, reply))
      reply(json_response(200, quarantine_entry_json_with_raw(*e)));
  }

  void release(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto e = entry(req, reply);
    if (!e) return;
    if (e->status != "quarantined")
      return reply(error_response(409, "conflict",
                                  "quarantine entry " + std::to_string(e->id) +
                                      " is not quarantined (status " + e->status + ")"));
    auto self = shared_from_this();
    store.release_quarantine(e->id, c.actor(),
                             [self, reply](store::Outcome<store::QuarantineEntry> r) {
                               // Lost a race with another release or drop: still a conflict.
                               if (!r.ok) return reply(error_response(409, "conflict", r.error));
                               self->changed();
                               reply(json_response(200, quarantine_entry_json(r.value)));
                             });
  }

  void drop(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto e = entry(req, reply);
    if (!e) return;
    if (e->status != "quarantined" && e->status != "suspect")
      return reply(error_response(409, "conflict",
                                  "quarantine entry " + std::to_string(e->id) +
                                      " is neither quarantined nor suspect (status " + e->status +
                                      ")"));
    auto self = shared_from_this();
    store.drop_quarantine(e->id, c.actor(),
                          [self, reply](store::Outcome<store::QuarantineEntry> r) {
                            if (!r.ok) return reply(error_response(409, "conflict", r.error));
                            self->changed();
                            reply(json_response(200, quarantine_entry_json(r.value)));
                          });
  }

  void plugin_states(const http::Request&, const Caller&, http::Reply reply) {
    json out = json::array();
    for (const auto& s : store.plugin_instance_states()) out.push_back(state_json(s));
    reply(json_response(200, {{"plugins", out}}));
  }

  void enable_plugin(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string instance = path_param(req, "instance");
    bool disabled = false;
    for (const auto& s : store.plugin_instance_states())
      if (s.instance == instance) disabled = s.disabled;
    if (!disabled)
      return reply(
          error_response(409, "conflict", "plugin instance " + instance + " is not disabled"));
    auto self = shared_from_this();
    store.set_plugin_instance_disabled(
        instance, false, "enabled by " + c.actor(), c.actor(),
        [self, instance, reply](store::Outcome<store::Nothing> r) {
          if (!r.ok) return reply(error_response(500, "store_error", r.error));
          self->changed();
          for (const auto& s : self->store.plugin_instance_states())
            if (s.instance == instance) return reply(json_response(200, state_json(s)));
          reply(error_response(500, "store_error", "plugin instance " + instance + " vanished"));
        });
  }
};

QuarantineApi::QuarantineApi(store::Store& store, std::function<void()> on_change)
    : impl_(std::make_shared<Impl>(store, std::move(on_change))) {}

QuarantineApi::~QuarantineApi() = default;

void QuarantineApi::register_routes(http::Router& router) {
  auto route = [&](const char* method, const std::string& path,
                   void (Impl::*fn)(const http::Request&, const Caller&, http::Reply)) {
    std::weak_ptr<Impl> weak = impl_;
    router.add(method, "/api/v1" + path,
               guarded(weak, {store::Role::admin},
                       [weak, fn](const http::Request& req, const Caller& c, http::Reply reply) {
                         if (auto self = weak.lock()) ((*self).*fn)(req, c, std::move(reply));
                       }));
  };
  route("GET", "/admin/quarantine", &Impl::list);
  route("GET", "/admin/quarantine/{id}", &Impl::get);
  route("POST", "/admin/quarantine/{id}/release", &Impl::release);
  route("POST", "/admin/quarantine/{id}/drop", &Impl::drop);
  route("GET", "/admin/plugins/state", &Impl::plugin_states);
  route("POST", "/admin/plugins/{instance}/enable", &Impl::enable_plugin);
}

}  // namespace omnigate::api
