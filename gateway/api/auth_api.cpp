#include "api/auth_api.hpp"

#include "api/access_token.hpp"
#include "api/client_address.hpp"
#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/login_throttle.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "api/workspace_bodies.hpp"
#include "core/clock.hpp"
#include "core/password_hash.hpp"
#include "core/sha256.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

namespace omnigate::api {

namespace {

using nlohmann::json;
using store::Role;

constexpr std::int64_t kHourMs = 60 * 60 * 1000;

// The one answer to a wrong password and to an unknown name: nothing tells them apart.
http::Response wrong_credentials() {
  return error_response(401, "invalid_credentials", "the name or the password is wrong");
}

// 429 with Retry-After in whole seconds, rounded up so a client that waits it is let in.
// `code`: "locked" (the name) or "throttled" (the client address).
http::Response locked_out(store::UnixMs locked_until, store::UnixMs now,
                          const char* code = "locked") {
  const auto seconds = std::max<std::int64_t>(1, (locked_until - now + 999) / 1000);
  auto r = error_response(429, code,
                          "too many failed logins: try again in " + std::to_string(seconds) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

json credential_json(const store::Credential& c) {
  json out = {{"id", c.id},
              {"kind", c.kind},
              {"user", c.user.name},
              {"created_at", c.created_at},
              {"expires_at", c.expires_at ? json(*c.expires_at) : json(nullptr)}};
  if (c.kind == "api") {
    out["label"] = c.label;
    out["scopes"] = c.scopes;
  }
  return out;
}

std::string path_param(const http::Request& req, const std::string& name) {
  const auto it = req.params.find(name);
  return it == req.params.end() ? std::string() : it->second;
}

}  // namespace

struct AuthApi::Impl : std::enable_shared_from_this<AuthApi::Impl> {
  store::Store& store;
  config::AuthConfig config;
  LoginThrottle throttle;

  Impl(store::Store& s, config::AuthConfig c)
      : store(s),
        config(c),
        throttle(c.address_failures, std::int64_t{c.address_window_minutes} * 60 * 1000) {}

  store::LockoutPolicy lockout() const {
    return {config.lockout_failures, std::int64_t{config.lockout_minutes} * 60 * 1000};
  }

  // The answer goes out once the audit row is written (`answer` runs then), so a client that
  // reads the log after its answer finds the row.
  void audit(std::string actor, const std::string& remote, std::string action, std::string object,
             const json& detail, std::function<void()> answer) {
    store.audit(
        {std::move(actor), std::move(action), std::move(object), remote, detail.dump(), now_ms()},
        [answer = std::move(answer)](store::Outcome<store::Nothing>) { answer(); });
  }

  std::string session_cookie(const std::string& token, std::int64_t max_age_s) const {
    std::string c = std::string(kSessionCookie) + "=" + token +
                    "; Path=/; Max-Age=" + std::to_string(max_age_s) +
                    "; HttpOnly; SameSite=Strict";
    if (config.secure_cookie) c += "; Secure";
    return c;
  }

  // ---- sessions

  void login(const http::Request& req, http::Reply reply) {
    auto body = parse_login_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    const std::string name = std::move(body.value->name);
    const std::string password = std::move(body.value->password);
    const std::string remote = client_address(req, config.trust_forwarded_for);
    const store::UnixMs now = now_ms();
    // An address trying too many logins, and a locked name, are refused before the password is
    // looked at: the right one does not help.
    if (const auto until = throttle.blocked_until(remote, now)) {
      return audit(name, remote, "auth.login_refused", "user:" + name, {{"reason", "address"}},
                   [reply, out = locked_out(*until, now, "throttled")] { reply(out); });
    }
    if (const auto failures = store.login_failures(name); failures.locked_at(now)) {
      throttle.record_failure(remote, now);
      return audit(name, remote, "auth.login_refused", "user:" + name, {{"reason", "locked"}},
                   [reply, out = locked_out(failures.locked_until, now)] { reply(out); });
    }
    const auto user = store.get_user(name);
    const std::string hash = user ? store.password_hash(name) : std::string();
    bool ok = false;
    if (hash.empty())
      verify_password_of_nobody(password);  // as long as a real check: no timing tells
    else
      ok = verify_password(hash, password);
    auto self = shared_from_this();
    if (!ok) {
      throttle.record_failure(remote, now);
      store.record_login_failure(
          name, now, lockout(),
          [self, name, remote, now, reply](store::Outcome<store::LoginFailures> r) {
            if (!r.ok) return reply(error_response(500, "store_error", r.error));
            const bool locked = r.value.locked_at(now);
            if (!locked)
              return self->audit(name, remote, "auth.login_failed", "user:" + name,
                                 {{"locked", false}}, [reply] { reply(wrong_credentials()); });
            self->audit(name, remote, "auth.login_failed", "user:" + name, {{"locked", true}},
                        [] {});
            self->audit(
                name, remote, "auth.locked", "user:" + name,
                {{"until", r.value.locked_until}, {"failures", self->config.lockout_failures}},
                [reply, out = locked_out(r.value.locked_until, now)] { reply(out); });
          });
      return;
    }
    std::string token;
    try {
      token = generate_access_token();
    } catch (const std::exception& e) {
      return reply(error_response(500, "internal", e.what()));
    }
    store.clear_login_failures(name, [](store::Outcome<store::Nothing>) {});
    store::Credential session;
    session.kind = "session";
    session.user = *user;
    session.created_at = now;
    session.expires_at = now + std::int64_t{config.session_hours} * kHourMs;
    store.add_credential(
        session, sha256_hex(token),
        [self, session, token, remote, reply](store::Outcome<store::Id> r) {
          if (!r.ok) return reply(error_response(500, "store_error", r.error));
          auto out = json_response(200, {{"token", token},
                                         {"expires_at", *session.expires_at},
                                         {"user", user_json(session.user)}});
          out.headers.emplace_back(
              "Set-Cookie",
              self->session_cookie(token, std::int64_t{self->config.session_hours} * 3600));
          self->audit(session.user.name, remote, "auth.login", "user:" + session.user.name,
                      {{"session", r.value}},  // never the token
                      [reply, out = std::move(out)] { reply(out); });
        });
  }

  void logout(const http::Request& req, const Caller& c, http::Reply reply) {
    if (c.credential_kind != "session")
      return reply(error_response(400, "not_a_session",
                                  "logout ends a login session; an API token is revoked with "
                                  "DELETE /api/v1/auth/tokens/{id}"));
    auto self = shared_from_this();
    const std::string remote = client_address(req, config.trust_forwarded_for);
    store.revoke_credential(c.credential_id, [self, c, remote,
                                              reply](store::Outcome<store::Nothing> r) {
      if (!r.ok) return reply(error_response(500, "store_error", r.error));
      auto out = json_response(200, {{"status", "logged_out"}});
      out.headers.emplace_back("Set-Cookie", self->session_cookie("", 0));
      self->audit(c.user.name, remote, "auth.logout", "user:" + c.user.name,
                  {{"session", c.credential_id}}, [reply, out = std::move(out)] { reply(out); });
    });
  }

  void me(const http::Request&, const Caller& c, http::Reply reply) {
    json out = user_json(c.user);
    out.update(preferences_json(store.user_preferences(c.user.name)));
    out["credential"] = {{"kind", c.credential_kind}, {"scopes", c.scopes}};
    reply(json_response(200, out));
  }

  // ---- preferences

  // Each field given replaces the stored one (null clears it); the others stay.
  void set_preferences(const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = parse_preferences_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    auto prefs = store.user_preferences(c.user.name).value_or(store::UserPreferences{});
    if (body.value->language) prefs.language = *body.value->language;
    if (body.value->time_zone) prefs.time_zone = *body.value->time_zone;
    auto self = shared_from_this();
    const std::string remote = client_address(req, config.trust_forwarded_for);
    store.set_user_preferences(
        c.user.name, prefs,
        [self, prefs, name = c.user.name, remote, reply](store::Outcome<store::Nothing> r) {
          if (!r.ok) return reply(store_refusal(r.error));
          const json out = preferences_json(prefs);
          self->audit(name, remote, "user.preferences", "user:" + name, out,
                      [reply, out] { reply(json_response(200, out)); });
        });
  }

  // ---- passwords

  void change_own_password(const http::Request& req, const Caller& c, http::Reply reply) {
    if (c.credential_kind == "api")
      return reply(error_response(403, "forbidden", "an API token cannot change a password"));
    auto body = parse_password_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    const std::string current = store.password_hash(c.user.name);
    // A user who has only ever had a token sets their first password without an old one.
    if (!current.empty() && !verify_password(current, body.value->old_password))
      return reply(error_response(403, "forbidden", "old_password is wrong", "old_password"));
    set_password(c.user.name, body.value->password, c, req, "self", std::move(reply));
  }

  void reset_password(const http::Request& req, const Caller& c, http::Reply reply) {
    const std::string name = path_param(req, "name");
    if (!store.get_user(name)) return reply(error_response(404, "not_found", "no user " + name));
    auto body = parse_password_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    set_password(name, body.value->password, c, req, "admin", std::move(reply));
  }

  // Every session of the user ends (whoever knew the old password is out); a reset by an admin
  // also lifts a lock-out.
  void set_password(const std::string& name, const std::string& password, const Caller& c,
                    const http::Request& req, const char* by, http::Reply reply) {
    std::string hash;
    try {
      hash = hash_password(password);
    } catch (const std::exception& e) {
      return reply(error_response(500, "internal", e.what()));
    }
    auto self = shared_from_this();
    const std::string remote = client_address(req, config.trust_forwarded_for);
    const std::string who = by;
    store.set_password_hash(
        name, hash, /*end_sessions=*/true,
        [self, name, c, remote, who, reply](store::Outcome<store::Nothing> r) {
          if (!r.ok) return reply(error_response(500, "store_error", r.error));
          if (who == "admin") self->store.clear_login_failures(name, [](auto) {});
          self->audit(c.user.name, remote, "user.password", "user:" + name, {{"by", who}}, [reply] {
            reply(json_response(200, {{"status", "password_set"}, {"sessions_ended", true}}));
          });
        });
  }

  // ---- API tokens

  void list_own_tokens(const http::Request&, const Caller& c, http::Reply reply) {
    json out = json::array();
    for (const auto& t : store.list_credentials(c.user.name, "api"))
      out.push_back(credential_json(t));
    reply(json_response(200, {{"tokens", out}}));
  }

  void list_all_tokens(const http::Request& req, const Caller&, http::Reply reply) {
    const std::string kind = req.query_param("kind").value_or("api");
    if (kind != "api" && kind != "session")
      return reply(error_response(400, "invalid_field", "kind must be api or session", "kind"));
    json out = json::array();
    for (const auto& t : store.list_credentials("", kind)) out.push_back(credential_json(t));
    reply(json_response(200, {{"tokens", out}}));
  }

  void create_token(const http::Request& req, const Caller& c, http::Reply reply) {
    // A scoped token must not mint itself wider ones.
    if (c.credential_kind == "api")
      return reply(error_response(403, "forbidden", "an API token cannot create tokens"));
    auto body = parse_token_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    std::string token;
    try {
      token = generate_access_token();
    } catch (const std::exception& e) {
      return reply(error_response(500, "internal", e.what()));
    }
    store::Credential cred;
    cred.kind = "api";
    cred.user = c.user;
    cred.scopes = body.value->scopes;
    cred.label = body.value->label;
    cred.created_at = now_ms();
    auto self = shared_from_this();
    const std::string remote = client_address(req, config.trust_forwarded_for);
    store.add_credential(
        cred, sha256_hex(token),
        [self, cred, token, c, remote, reply](store::Outcome<store::Id> r) {
          if (!r.ok) return reply(error_response(500, "store_error", r.error));
          store::Credential made = cred;
          made.id = r.value;
          json out = credential_json(made);
          const json audited = out;
          out["token"] = token;  // shown this once; only its digest is kept
          self->audit(c.user.name, remote, "token.create", "token:" + std::to_string(made.id),
                      audited, [reply, answer = json_response(201, out)] { reply(answer); });
        });
  }

  void revoke_own_token(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto mine = store.list_credentials(c.user.name, "api");
    if (std::none_of(mine.begin(), mine.end(), [&](const auto& t) { return t.id == *id; }))
      return reply(error_response(404, "not_found", "you have no token " + std::to_string(*id)));
    revoke(*id, c, req, std::move(reply));
  }

  void revoke_any_token(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    revoke(*id, c, req, std::move(reply));
  }

  void revoke(store::Id id, const Caller& c, const http::Request& req, http::Reply reply) {
    auto self = shared_from_this();
    const std::string remote = client_address(req, config.trust_forwarded_for);
    store.revoke_credential(id, [self, id, c, remote, reply](store::Outcome<store::Nothing> r) {
      if (!r.ok) return reply(error_response(404, "not_found", "no token " + std::to_string(id)));
      self->audit(c.user.name, remote, "token.revoke", "token:" + std::to_string(id),
                  json::object(), [reply] {
                    reply(json_response(200, {{"status", "revoked"}}));
                  });
    });
  }
};

AuthApi::AuthApi(store::Store& store, config::AuthConfig config)
    : impl_(std::make_shared<Impl>(store, config)) {}

AuthApi::~AuthApi() = default;

void AuthApi::register_routes(http::Router& router) {
  using R = Role;
  auto route = [&](const char* method, const std::string& path, std::initializer_list<Role> roles,
                   void (Impl::*fn)(const http::Request&, const Caller&, http::Reply)) {
    router.add(method, "/api/v1" + path, guarded_method(impl_, roles, fn));
  };
  std::weak_ptr<Impl> weak = impl_;
  router.add("POST", "/api/v1/auth/login", http::AccessRule::for_anyone(),
             [weak](const http::Request& req, http::Reply reply) {
               auto self = weak.lock();
               if (!self) return reply(shutting_down_response());
               self->login(req, std::move(reply));
             });
  const std::initializer_list<Role> everyone = {R::agent, R::supervisor, R::qa, R::admin};
  route("POST", "/auth/logout", everyone, &Impl::logout);
  route("GET", "/auth/me", everyone, &Impl::me);
  route("PUT", "/auth/password", everyone, &Impl::change_own_password);
  route("PUT", "/auth/me/preferences", everyone, &Impl::set_preferences);
  route("GET", "/auth/tokens", everyone, &Impl::list_own_tokens);
  route("POST", "/auth/tokens", everyone, &Impl::create_token);
  route("DELETE", "/auth/tokens/{id}", everyone, &Impl::revoke_own_token);
  route("PUT", "/admin/users/{name}/password", {R::admin}, &Impl::reset_password);
  route("GET", "/admin/tokens", {R::admin}, &Impl::list_all_tokens);
  route("DELETE", "/admin/tokens/{id}", {R::admin}, &Impl::revoke_any_token);
}

}  // namespace omnigate::api
