// Maps method + path to a handler. Patterns are literal segments and {name} captures
// ("/api/v1/conversations/{id}/reply"); a pattern ending in "/*" matches any remainder
// (captured as params["*"]). Routes are added at start-up, before the server runs;
// match() and routes() are then called concurrently and never mutate. Each route is added with
// its access rule (access_rule.hpp), and routes() lists them: the table is enumerable.
#pragma once

#include "http/access_rule.hpp"
#include "http/http_types.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::http {

class Router {
 public:
  // `max_body_bytes`: the largest request body this route accepts (413 above); unset = the
  // server's limits.max_body_bytes.
  void add(std::string method, std::string pattern, Endpoint endpoint,
           std::optional<std::uint64_t> max_body_bytes = std::nullopt);
  void add(std::string method, std::string pattern, AccessRule access, Handler handler,
           std::optional<std::uint64_t> max_body_bytes = std::nullopt);
  void add_ws(std::string pattern, AccessRule access, WsHandler handler);

  struct RouteInfo {
    std::string method;  // "GET" for WebSocket routes (the upgrade)
    std::string pattern;
    bool websocket = false;
    AccessRule access;
  };
  // Every route in the order added, HTTP routes first.
  std::vector<RouteInfo> routes() const;

  struct Match {
    const Handler* handler = nullptr;  // null: no route
    const WsHandler* ws_handler = nullptr;
    bool path_known = false;                   // the path exists for another method → 405
    std::vector<std::string> allowed_methods;  // when path_known: the methods it has (Allow)
    std::map<std::string, std::string> params;
    std::string pattern;                          // the matched route's pattern (metrics label)
    std::optional<std::uint64_t> max_body_bytes;  // the route's own body limit, if it has one
  };
  Match match(std::string_view method, std::string_view path) const;
  Match match_ws(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    WsHandler ws_handler;
    std::optional<std::uint64_t> max_body_bytes;
    AccessRule access;
  };
  static bool match_segments(const std::vector<std::string>& pattern, std::string_view path,
                             std::map<std::string, std::string>& params);
  std::vector<Route> routes_;
  std::vector<Route> ws_routes_;
};

}  // namespace omnigate::http
