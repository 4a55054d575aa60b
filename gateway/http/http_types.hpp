// Plain HTTP request/response types used everywhere in the gateway. Beast stays inside
// gateway/http/server.cpp; everything else (plugin host, agent API, QA API) sees only these.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  uint64_t id = 0;     // unique per request within the process
  std::string method;  // "GET", "POST", ...
  std::string target;  // path + query as received
  std::string path;    // percent-decoded path
  std::string query;   // raw query string, no '?'
  HeaderList headers;  // as received
  std::string body;
  std::string remote_addr;
  std::map<std::string, std::string> params;  // {name} captures from the route pattern

  // First header with this name, case-insensitive.
  std::optional<std::string_view> header(std::string_view name) const;
  // A decoded query parameter.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;
};

// Completes a request. Call exactly once, from any thread; the Request stays valid until then.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Reply)>;

// One live WebSocket connection, as the server exposes it to route owners.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual uint64_t id() const = 0;
  // Queue a message; thread-safe. Returns false when the connection is closed.
  virtual bool send(std::string data, bool is_text) = 0;
  virtual void close(int code, std::string reason) = 0;
};

// What on_open answers: accept (true), refuse with 403 (false), or refuse with a response of the
// route's own (e.g. 401 with WWW-Authenticate, 400 naming a bad query parameter).
struct WsOpen {
  WsOpen(bool accept) : accepted(accept) {}  // NOLINT: handlers that only accept/deny return bool
  WsOpen(Response refusal) : accepted(false), refusal(std::move(refusal)) {}  // NOLINT
  explicit operator bool() const { return accepted; }
  bool accepted = true;
  std::optional<Response> refusal;  // unset and !accepted: 403
};

struct WsHandler {
  // Upgrade request: refuse or accept (see WsOpen). Keep the connection pointer to send later.
  std::function<WsOpen(const Request&, std::shared_ptr<WsConnection>)> on_open;
  std::function<void(uint64_t conn_id, std::string data, bool is_text)> on_message;
  std::function<void(uint64_t conn_id)> on_close;
};

}  // namespace omnigate::http
