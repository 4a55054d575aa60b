#include "api/role_guard.hpp"

#include "api/json_response.hpp"
#include "api/token_scopes.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"

#include <algorithm>
#include <cctype>

namespace omnigate::api {

namespace {

// The token of an `Authorization: Bearer <token>` value: the scheme is case-insensitive
// (RFC 7235 section 2.1) and followed by one or more spaces (RFC 6750 section 2.1). Empty when
// the value is another scheme or has no token.
std::string_view bearer_token(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  if (value[kScheme.size()] != ' ') return {};
  const auto start = value.find_first_not_of(' ', kScheme.size());
  return start == std::string_view::npos ? std::string_view() : value.substr(start);
}

// The value of cookie `name` in a Cookie header ("a=1; og_session=...", RFC 6265 section 4.2.1).
std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    auto pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    const auto start = pair.find_first_not_of(' ');
    if (start == std::string_view::npos) continue;
    pair.remove_prefix(start);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

}  // namespace

bool cookie_request_without_csrf_header(const http::Request& req) {
  if (req.method == "GET" || req.method == "HEAD" || req.header("Authorization")) return false;
  if (cookie_value(req.header("Cookie").value_or(std::string_view()), kSessionCookie).empty())
    return false;
  return !req.header(kCsrfHeader);
}

std::string presented_token(const http::Request& req) {
  if (const auto header = req.header("Authorization")) return std::string(bearer_token(*header));
  if (const auto cookies = req.header("Cookie"))
    return std::string(cookie_value(*cookies, kSessionCookie));
  return {};
}

std::optional<Caller> caller_by_digest(store::Store& store, std::string digest) {
  auto cred = store.credential_by_token(digest);
  if (!cred || cred->expired_at(now_ms())) return std::nullopt;
  return Caller{std::move(cred->user), std::move(digest), std::move(cred->kind), cred->id,
                std::move(cred->scopes)};
}

std::optional<Caller> authenticate(store::Store& store, const http::Request& req) {
  const std::string token = presented_token(req);
  if (token.empty()) return std::nullopt;
  // Only the digest is ever compared or stored; the token itself goes nowhere.
  return caller_by_digest(store, sha256_hex(token));
}

bool may_access(const Caller& caller, const std::vector<store::Role>& allowed,
                std::string_view method) {
  const bool role_allowed = std::any_of(allowed.begin(), allowed.end(),
                                        [&](store::Role r) { return caller.user.has_role(r); });
  if (!role_allowed) return false;
  return caller.credential_kind != "api" || scopes_allow(caller.scopes, allowed, method);
}

void authorize_then(store::Store& store, const std::vector<store::Role>& allowed,
                    const http::Request& req, http::Reply reply, const AuthedHandler& handler) {
  auto caller = authenticate(store, req);
  if (!caller) {
    auto r = error_response(
        401, "unauthorized",
        "a valid Authorization: Bearer <token> or session cookie (POST /api/v1/auth/login) is "
        "required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return reply(std::move(r));
  }
  if (cookie_request_without_csrf_header(req))
    return reply(error_response(
        403, "forbidden",
        std::string("a request that changes something with the session cookie needs the header ") +
            std::string(kCsrfHeader) + " (the consoles send it; other sites cannot)"));
  if (!may_access(*caller, allowed, req.method)) {
    const bool roles_fit = std::any_of(allowed.begin(), allowed.end(),
                                       [&](store::Role r) { return caller->user.has_role(r); });
    if (roles_fit)
      return reply(
          error_response(403, "forbidden", "this token's scopes do not cover this request"));
    return reply(error_response(403, "forbidden",
                                "this needs the role " + store::roles_text(allowed, " or ")));
  }
  handler(req, *caller, std::move(reply));
}

http::AccessRule role_rule(const std::vector<store::Role>& roles) {
  std::vector<std::string> names;
  names.reserve(roles.size());
  for (store::Role r : roles) names.emplace_back(store::to_string(r));
  return http::AccessRule::for_roles(std::move(names));
}

http::Response shutting_down_response() {
  return error_response(503, "unavailable", "the API is shutting down");
}

}  // namespace omnigate::api
