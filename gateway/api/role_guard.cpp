#include "api/role_guard.hpp"

#include "api/json_response.hpp"
#include "core/sha256.hpp"

#include <algorithm>

namespace omnigate::api {

std::optional<Caller> authenticate(store::Store& store, const http::Request& req) {
  const auto header = req.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!header || header->size() <= kScheme.size() || header->substr(0, kScheme.size()) != kScheme)
    return std::nullopt;
  // Only the digest is ever compared or stored; the token itself goes nowhere.
  auto user = store.user_by_token(sha256_hex(header->substr(kScheme.size())));
  if (!user) return std::nullopt;
  return Caller{*user};
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
