// Authentication and the role check every /api/v1 endpoint goes through (docs/api.md "Roles",
// "Authentication"): a bearer token or the session cookie; 401 without a valid one, 403 naming
// the roles that may (or the scopes an API token lacks).
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::api {

// The cookie a login sets for the consoles (HttpOnly, SameSite=Strict).
inline constexpr std::string_view kSessionCookie = "og_session";

// Beside SameSite=Strict, a request that changes something (any method but GET and HEAD) and is
// authenticated by the cookie must carry this header: a page of another origin can only add a
// custom header through a CORS preflight, which the gateway never grants, so no form or script
// elsewhere can make a logged-in console user act (docs/console.md, "Security").
inline constexpr std::string_view kCsrfHeader = "X-Requested-With";

// True for such a request without kCsrfHeader (Authorization wins over the cookie, so a
// bearer-token request never needs it).
bool cookie_request_without_csrf_header(const http::Request& req);

// Who is calling: set once the bearer token or session cookie is verified.
struct Caller {
  store::User user;
  std::string token_sha256;         // what authenticated them: checked again by long-lived sessions
  std::string credential_kind;      // "user" (their own token), "session" or "api"
  store::Id credential_id = 0;      // sessions and API tokens
  std::vector<std::string> scopes;  // API tokens: what they may do of what the user may
  std::string actor() const { return "user:" + user.name; }
};

// The token a request presents: `Authorization: Bearer <token>` (any case), else the session
// cookie. Empty when there is neither.
std::string presented_token(const http::Request& req);

// Who the token with this SHA-256 stands for now; nullopt when unknown, revoked or expired.
std::optional<Caller> caller_by_digest(store::Store& store, std::string digest);

// The caller whose token the request presents (presented_token); only its SHA-256 is looked up.
std::optional<Caller> authenticate(store::Store& store, const http::Request& req);

// Whether the caller may use a route guarded for `allowed` with `method`: one of their roles is
// allowed and, for an API token, one of its scopes covers the route (token_scopes.hpp).
bool may_access(const Caller& caller, const std::vector<store::Role>& allowed,
                std::string_view method);

using AuthedHandler = std::function<void(const http::Request&, const Caller&, http::Reply)>;

// Authenticates, checks the caller's role is in `allowed`, then runs `handler`.
void authorize_then(store::Store& store, const std::vector<store::Role>& allowed,
                    const http::Request& req, http::Reply reply, const AuthedHandler& handler);

// 503: the API object behind a route is gone (the gateway is shutting down).
http::Response shutting_down_response();

// The access rule the router keeps for a route guarded for `roles` (GET /api/v1/admin/routes).
http::AccessRule role_rule(const std::vector<store::Role>& roles);

// A route handler for an API object (`Owner` has a `store::Store& store`) that answers 503 once
// the object is gone (shutdown) and otherwise authorizes like authorize_then; it carries its
// roles as the route's access rule.
template <class Owner>
http::Endpoint guarded(std::weak_ptr<Owner> owner, std::initializer_list<store::Role> roles,
                       AuthedHandler handler) {
  std::vector<store::Role> allowed(roles);
  auto rule = role_rule(allowed);
  return {std::move(rule),
          [owner = std::move(owner), allowed = std::move(allowed), handler = std::move(handler)](
              const http::Request& req, http::Reply reply) {
            auto self = owner.lock();
            if (!self) return reply(shutting_down_response());
            authorize_then(self->store, allowed, req, std::move(reply), handler);
          }};
}

// guarded() for a member function of the API object: `fn` runs on the object while it lives.
template <class Owner>
http::Endpoint guarded_method(const std::shared_ptr<Owner>& owner,
                              std::initializer_list<store::Role> roles,
                              void (Owner::*fn)(const http::Request&, const Caller&, http::Reply)) {
  std::weak_ptr<Owner> weak = owner;
  return guarded(weak, roles,
                 [weak, fn](const http::Request& req, const Caller& c, http::Reply reply) {
                   if (auto self = weak.lock()) ((*self).*fn)(req, c, std::move(reply));
                 });
}

}  // namespace omnigate::api
