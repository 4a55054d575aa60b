#include "api/role_guard.hpp"

#include "api/json_response.hpp"
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

}  // namespace

std::optional<Caller> authenticate(store::Store& store, const http::Request& req) {
  const auto header = req.header("Authorization");
  if (!header) return std::nullopt;
  const auto token = bearer_token(*header);
  if (token.empty()) return std::nullopt;
  // Only the digest is ever compared or stored; the token itself goes nowhere.
  std::string digest = sha256_hex(token);
  auto user = store.user_by_token(digest);
  if (!user) return std::nullopt;
  return Caller{*user, std::move(digest)};
}

void authorize_then(store::Store& store, const std::vector<store::Role>& allowed,
                    const http::Request& req, http::Reply reply, const AuthedHandler& handler) {
  auto caller = authenticate(store, req);
  if (!caller) {
    auto r =
        error_response(401, "unauthorized", "a valid Authorization: Bearer <token> is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return reply(std::move(r));
  }
  if (std::find(allowed.begin(), allowed.end(), caller->user.role) == allowed.end()) {
    std::string need;
    for (auto r : allowed) need += (need.empty() ? "" : " or ") + std::string(store::to_string(r));
    return reply(error_response(403, "forbidden", "this needs the role " + need));
  }
  handler(req, *caller, std::move(reply));
}

http::Response shutting_down_response() {
  return error_response(503, "unavailable", "the API is shutting down");
}

}  // namespace omnigate::api
