#include "http/router.hpp"

#include <algorithm>
#include <optional>

namespace omnigate::http {
namespace {

// "/a/{b}/c" → {"a", "{b}", "c"}; empty segments (double or trailing slashes) are dropped so
// "/a/" and "/a" are the same route.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto slash = path.find('/', pos);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) out.emplace_back(path.substr(pos, end - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

bool is_capture(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Endpoint endpoint,
                 std::optional<std::uint64_t> max_body_bytes) {
  add(std::move(method), std::move(pattern), std::move(endpoint.access),
      std::move(endpoint.handler), max_body_bytes);
}

void Router::add(std::string method, std::string pattern, AccessRule access, Handler handler,
                 std::optional<std::uint64_t> max_body_bytes) {
  auto segments = split_path(pattern);
  routes_.push_back(Route{std::move(method),
                          std::move(pattern),
                          std::move(segments),
                          std::move(handler),
                          {},
                          max_body_bytes,
                          std::move(access)});
}

void Router::add_ws(std::string pattern, AccessRule access, WsHandler handler) {
  auto segments = split_path(pattern);
  ws_routes_.push_back(Route{"GET",
                             std::move(pattern),
                             std::move(segments),
                             {},
                             std::move(handler),
                             {},
                             std::move(access)});
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size() + ws_routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, false, r.access});
  for (const Route& r : ws_routes_) out.push_back({r.method, r.pattern, true, r.access});
  return out;
}

bool Router::match_segments(const std::vector<std::string>& pattern, std::string_view path,
                            std::map<std::string, std::string>& params) {
  params.clear();
  std::size_t pos = 0;
  // Skip the leading slash(es) once; segments are then consumed left to right.
  auto next_segment = [&]() -> std::optional<std::string_view> {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (pos >= path.size()) return std::nullopt;
    const auto slash = path.find('/', pos);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view seg = path.substr(pos, end - pos);
    pos = end;
    return seg;
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p == "*" && i + 1 == pattern.size()) {
      while (pos < path.size() && path[pos] == '/') ++pos;
      params["*"] = std::string(path.substr(pos));
      return true;
    }
    const auto seg = next_segment();
    if (!seg) return false;
    if (is_capture(p)) {
      params[p.substr(1, p.size() - 2)] = std::string(*seg);
    } else if (p != *seg) {
      return false;
    }
  }
  return !next_segment().has_value();
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  std::map<std::string, std::string> params;
  // First registered route wins, so specific routes must be added before catch-alls.
  for (const Route& r : routes_) {
    if (!match_segments(r.segments, path, params)) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      m.handler = &r.handler;
      m.params = std::move(params);
      m.pattern = r.pattern;
      m.max_body_bytes = r.max_body_bytes;
      m.path_known = true;
      m.allowed_methods.clear();
      return m;
    }
    // A root catch-all ("/*", the static files) matches every path, so it says nothing about
    // whether this path exists: other methods on unknown paths stay 404, not 405.
    if (r.segments.size() == 1 && r.segments[0] == "*") continue;
    m.path_known = true;
    if (std::find(m.allowed_methods.begin(), m.allowed_methods.end(), r.method) ==
        m.allowed_methods.end()) {
      m.allowed_methods.push_back(r.method);
    }
  }
  return m;
}

Router::Match Router::match_ws(std::string_view path) const {
  Match m;
  std::map<std::string, std::string> params;
  for (const Route& r : ws_routes_) {
    if (match_segments(r.segments, path, params)) {
      m.ws_handler = &r.ws_handler;
      m.params = std::move(params);
      m.pattern = r.pattern;
      m.path_known = true;
      return m;
    }
  }
  return m;
}

}  // namespace omnigate::http
