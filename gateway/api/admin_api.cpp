#include "api/admin_api.hpp"

#include "api/access_token.hpp"
#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "api/supervisor_view.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "dispatch/tier_rules.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace omnigate::api {

namespace {

using nlohmann::json;
using store::Role;

std::string path_param(const http::Request& req, const std::string& name) {
  const auto it = req.params.find(name);
  return it == req.params.end() ? std::string() : it->second;
}

// Both halves of a PATCH that attribute rules extended: the person's change, then the rules'.
store::CustomerChange merged(store::CustomerChange first, const store::CustomerChange& second) {
  std::set<store::Id> open(first.open_conversations.begin(), first.open_conversations.end());
  open.insert(second.open_conversations.begin(), second.open_conversations.end());
  first.after = second.after;
  first.open_conversations.assign(open.begin(), open.end());
  return first;
}

}  // namespace

struct AdminApi::Impl : std::enable_shared_from_this<AdminApi::Impl> {
  store::Store& store;
  dispatch::RoutingDispatcher& dispatcher;
  UserChanged user_changed = [](const std::string&, std::function<void()> then) { then(); };

  Impl(store::Store& s, dispatch::RoutingDispatcher& d) : store(s), dispatcher(d) {}

  void audit(const Caller& c, const std::string& remote, std::string action, std::string object,
             const json& detail = json::object()) {
    store.audit(
        {c.user.name, std::move(action), std::move(object), remote, detail.dump(), now_ms()},
        [](store::Outcome<store::Nothing>) {});
  }

  // ---- agents

  void create_agent(const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = parse_agent_body(req.body, /*with_id=*/true);
    if (!body.value) return reply(body_error(body.error));
    store::Agent agent = std::move(*body.value);
    if (store.get_agent(agent.id))
      return reply(error_response(409, "conflict", "agent " + agent.id + " already exists", "id"));
    save_agent(std::move(agent), c, req.remote_addr, "agent.create", 201, std::move(reply));
  }

  void replace_agent(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string id = path_param(req, "id");
    const auto existing = store.get_agent(id);
    if (!existing) return reply(error_response(404, "not_found", "no agent " + id));
    auto body = parse_agent_body(req.body, /*with_id=*/false);
    if (!body.value) return reply(body_error(body.error));
    store::Agent agent = std::move(*body.value);
    agent.id = id;
    // Presence is the agent's own (PUT /agents/me/presence), not part of the profile.
    agent.presence = existing->presence;
    agent.presence_since = existing->presence_since;
    save_agent(std::move(agent), c, req.remote_addr, "agent.replace", 200, std::move(reply));
  }

  void save_agent(store::Agent agent, const Caller& c, const std::string& remote,
                  const std::string& action, int status, http::Reply reply) {
    if (agent.display_name.empty()) agent.display_name = agent.id;
    if (agent.presence_since == 0) agent.presence_since = now_ms();
    auto self = shared_from_this();
    store.upsert_agent(agent, [self, agent, c, remote, action, status,
                               reply](store::Outcome<store::Nothing> r) {
      if (!r.ok) return reply(error_response(500, "store_error", r.error));
      self->dispatcher.agent_changed(agent);
      self->audit(c, remote, action, "agent:" + agent.id, agent_json(agent));
      // After agent_changed on the dispatcher's strand: the engine's view of the new profile.
      self->dispatcher.agent_loads([agent, status, reply](std::vector<dispatch::AgentLoad> loads) {
        reply(json_response(status, agent_view_json(agent, loads)));
      });
    });
  }

  void delete_agent(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string id = path_param(req, "id");
    if (!store.get_agent(id)) return reply(error_response(404, "not_found", "no agent " + id));
    const auto users = store.users_of_agent(id);
    if (!users.empty())
      return reply(error_response(409, "conflict",
                                  "agent " + id + " is the profile of user " + users.front().name +
                                      "; remove the user first (DELETE /api/v1/admin/users/" +
                                      users.front().name + ")"));
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    // Re-queues are submitted before the delete, and the one writer commits in order.
    dispatcher.agent_removed(
        id, c.actor(), [self, id, c, remote, reply](std::vector<store::Id> requeued) {
          self->store.delete_agent(
              id, [self, id, c, remote, requeued, reply](store::Outcome<store::Nothing> r) {
                if (!r.ok) return reply(error_response(409, "conflict", r.error));
                self->audit(c, remote, "agent.delete", "agent:" + id, {{"requeued", requeued}});
                reply(json_response(200, {{"status", "removed"}, {"requeued", requeued}}));
              });
        });
  }

  void get_agent(const http::Request& req, const Caller&, http::Reply reply) {
    const std::string id = path_param(req, "id");
    const auto agent = store.get_agent(id);
    if (!agent) return reply(error_response(404, "not_found", "no agent " + id));
    dispatcher.agent_loads([agent = *agent, reply](std::vector<dispatch::AgentLoad> loads) {
      reply(json_response(200, agent_view_json(agent, loads)));
    });
  }

  // ---- users

  void create_user(const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = parse_user_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    store::User user = std::move(*body.value);
    if (store.get_user(user.name))
      return reply(
          error_response(409, "conflict", "user " + user.name + " already exists", "name"));
    if (user.agent_id && !store.get_agent(*user.agent_id))
      return reply(error_response(400, "invalid_field", "no agent " + *user.agent_id, "agent_id"));
    std::string token;
    try {
      token = generate_access_token();
    } catch (const std::exception& e) {
      return reply(error_response(500, "internal", e.what()));
    }
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    store.upsert_user(user, sha256_hex(token),
                      [self, user, token, c, remote, reply](store::Outcome<store::Nothing> r) {
                        if (!r.ok) return reply(error_response(500, "store_error", r.error));
                        json out = user_json(user);
                        self->audit(c, remote, "user.create", "user:" + user.name,
                                    out);  // never the token
                        out["token"] = token;
                        reply(json_response(201, out));
                      });
  }

  void delete_user(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string name = path_param(req, "name");
    if (!store.get_user(name)) return reply(error_response(404, "not_found", "no user " + name));
    if (name == c.user.name)
      return reply(
          error_response(409, "conflict", "you cannot revoke your own user; another admin can"));
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    store.delete_user(name, [self, name, c, remote, reply](store::Outcome<store::Nothing> r) {
      if (!r.ok) return reply(error_response(500, "store_error", r.error));
      self->audit(c, remote, "user.delete", "user:" + name);
      // Answered once their open streams are closed: nothing reaches them after the 200.
      self->user_changed(name, [reply] { reply(json_response(200, {{"status", "revoked"}})); });
    });
  }

  void update_user(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string name = path_param(req, "name");
    if (!store.get_user(name)) return reply(error_response(404, "not_found", "no user " + name));
    if (name == c.user.name)
      return reply(
          error_response(409, "conflict", "you cannot change your own role; another admin can"));
    auto body = parse_user_body(req.body, /*with_name=*/false);
    if (!body.value) return reply(body_error(body.error));
    store::User user = std::move(*body.value);
    user.name = name;
    if (user.agent_id && !store.get_agent(*user.agent_id))
      return reply(error_response(400, "invalid_field", "no agent " + *user.agent_id, "agent_id"));
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    // No token digest: the user keeps their token.
    store.upsert_user(user, "", [self, user, c, remote, reply](store::Outcome<store::Nothing> r) {
      if (!r.ok) return reply(error_response(500, "store_error", r.error));
      const json out = user_json(user);
      self->audit(c, remote, "user.update", "user:" + user.name, out);
      self->user_changed(user.name, [reply, out] { reply(json_response(200, out)); });
    });
  }

  // ---- teams and skills

  void teams(const http::Request&, const Caller&, http::Reply reply) {
    auto stored = std::make_shared<std::vector<store::Agent>>(store.list_agents());
    auto self = shared_from_this();
    dispatcher.agent_loads([self, stored, reply](std::vector<dispatch::AgentLoad> loads) {
      self->dispatcher.team_overflow([stored, loads = std::move(loads),
                                      reply](std::map<std::string, dispatch::TeamOverflow> policy) {
        std::map<std::string, json> members;  // team → members, ordered by name
        for (const auto& [name, overflow] : policy) members[name] = json::array();
        for (const auto& a : *stored) {
          if (a.team.empty()) continue;
          std::string presence = store::to_string(a.presence);
          for (const auto& l : loads)
            if (l.agent_id == a.id) presence = l.presence;  // the engine's live view
          auto& list = members[a.team];
          if (list.is_null()) list = json::array();
          list.push_back({{"id", a.id}, {"display_name", a.display_name}, {"presence", presence}});
        }
        json out = json::array();
        for (const auto& [name, list] : members) {
          const auto p = policy.find(name);
          out.push_back(
              {{"name", name},
               {"members", list},
               {"overflow_to", p == policy.end() ? json::array() : json(p->second.overflow_to)},
               {"overflow_after_ms", p == policy.end() ? 0 : p->second.overflow_after_ms}});
        }
        reply(json_response(200, {{"teams", out}}));
      });
    });
  }

  void skills(const http::Request&, const Caller&, http::Reply reply) {
    std::map<std::string, std::array<int, 5>> by_skill;  // skill → agents at levels 1..5
    for (const auto& a : store.list_agents())
      for (const auto& s : a.skills)
        if (s.level >= 1 && s.level <= 5) by_skill[s.skill][s.level - 1] += 1;
    json out = json::array();
    for (const auto& [skill, levels] : by_skill) {
      json by_level = json::object();
      int total = 0;
      for (int l = 0; l < 5; ++l) {
        by_level[std::to_string(l + 1)] = levels[l];
        total += levels[l];
      }
      out.push_back({{"skill", skill}, {"agents", total}, {"by_level", by_level}});
    }
    reply(json_response(200, {{"skills", out}}));
  }

  // ---- customers

  // The customer named by {id} if the caller may see it; otherwise the error is sent.
  std::optional<store::Customer> visible_customer(const http::Request& req, const Caller& c,
                                                  http::Reply& reply) {
    const auto id = id_param(req, reply);
    if (!id) return std::nullopt;
    const std::string text = std::to_string(*id);
    auto customer = store.get_customer(*id);
    if (!customer) {
      reply(error_response(404, "not_found", "no customer " + text));
      return std::nullopt;
    }
    if (c.user.limited_to_own_work()) {
      // Agents see the customers they are working for: one of their conversations is theirs.
      store::ConversationFilter mine;
      mine.assigned_agent = c.user.agent_id.value_or("");
      mine.customer_id = *id;
      mine.limit = 1;
      if (!c.user.agent_id || store.list_conversations(mine).empty()) {
        reply(error_response(403, "forbidden",
                             "customer " + text + " has no conversation assigned to you"));
        return std::nullopt;
      }
    }
    return customer;
  }

  void get_customer(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto customer = visible_customer(req, c, reply);
    if (!customer) return;
    reply(json_response(200, customer_json(*customer)));
  }

  void patch_customer(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto customer = visible_customer(req, c, reply);
    if (!customer) return;
    auto body = parse_customer_patch_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    store::CustomerUpdate update = std::move(*body.value);
    if (update.account_manager && !update.account_manager->empty() &&
        !store.get_agent(*update.account_manager))
      return reply(error_response(400, "invalid_field", "no agent " + *update.account_manager,
                                  "account_manager"));
    update.customer_id = customer->id;
    update.tier_source = store::TierSource::manual;
    update.actor = c.actor();
    const json detail = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    store.update_customer(update, [self, update, detail, c, remote,
                                   reply](store::Outcome<store::CustomerChange> r) {
      if (!r.ok) return reply(error_response(500, "store_error", r.error));
      auto finish = [self, detail, c, remote, reply](const store::CustomerChange& change) {
        self->dispatcher.customer_changed(change);
        self->audit(c, remote, "customer.update", "customer:" + std::to_string(change.after.id),
                    detail);
        reply(json_response(200, customer_json(change.after)));
      };
      auto by_rules = update.attributes_json
                          ? dispatch::tier_rule_update(self->dispatcher.tier_rules(), r.value.after)
                          : std::nullopt;
      // What the person set in this request stands; rules only fill in the rest.
      if (by_rules && update.tier) by_rules->tier.reset();
      if (by_rules && update.account_team) by_rules->account_team.reset();
      if (by_rules && update.account_manager) by_rules->account_manager.reset();
      if (!by_rules || (!by_rules->tier && !by_rules->account_team && !by_rules->account_manager))
        return finish(r.value);
      self->store.update_customer(
          *by_rules, [first = r.value, finish, reply](store::Outcome<store::CustomerChange> r2) {
            if (!r2.ok) return reply(error_response(500, "store_error", r2.error));
            finish(merged(first, r2.value));
          });
    });
  }
};

AdminApi::AdminApi(store::Store& store, dispatch::RoutingDispatcher& dispatcher)
    : impl_(std::make_shared<Impl>(store, dispatcher)) {}

AdminApi::~AdminApi() = default;

void AdminApi::on_user_changed(UserChanged fn) {
  impl_->user_changed = std::move(fn);
}

void AdminApi::register_routes(http::Router& router) {
  using R = Role;
  auto route = [&](const char* method, const std::string& path, std::initializer_list<Role> roles,
                   void (Impl::*fn)(const http::Request&, const Caller&, http::Reply)) {
    router.add(method, "/api/v1" + path, guarded_method(impl_, roles, fn));
  };
  route("POST", "/admin/agents", {R::admin}, &Impl::create_agent);
  route("PUT", "/admin/agents/{id}", {R::admin}, &Impl::replace_agent);
  route("DELETE", "/admin/agents/{id}", {R::admin}, &Impl::delete_agent);
  route("GET", "/agents/{id}", {R::supervisor, R::admin}, &Impl::get_agent);
  route("POST", "/admin/users", {R::admin}, &Impl::create_user);
  route("PUT", "/admin/users/{name}", {R::admin}, &Impl::update_user);
  route("DELETE", "/admin/users/{name}", {R::admin}, &Impl::delete_user);
  route("GET", "/teams", {R::agent, R::supervisor, R::admin}, &Impl::teams);  // transfer targets
  route("GET", "/skills", {R::supervisor, R::admin}, &Impl::skills);
  route("GET", "/customers/{id}", {R::agent, R::supervisor, R::qa, R::admin}, &Impl::get_customer);
  route("PATCH", "/customers/{id}", {R::supervisor, R::admin}, &Impl::patch_customer);
}

}  // namespace omnigate::api
