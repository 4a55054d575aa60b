// Which input a plugin instance is working on, per thread: the gateway marks every call that
// hands a plugin an input (a webhook request, a WebSocket frame, an outbox row) with an
// InputScope, so that if the plugin kills the process the crash recorder (crash_recorder.hpp)
// can write down exactly that input, and the next start can quarantine it after N crashes.
//
// InputInFlight only borrows: a signal handler reads it, so it holds plain pointers into what
// the caller already has, and entering a scope allocates nothing. CapturedInput is the owned
// copy the rest of the gateway works with (its key, its raw JSON for the quarantine).
#pragma once

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::isolation {

enum class InputKind { http, ws, outbox };

const char* to_string(InputKind kind);  // "http", "ws", "outbox"
std::optional<InputKind> input_kind_from_string(std::string_view text);

// Every pointer is borrowed from the caller and must stay valid while the scope is entered.
struct InputInFlight {
  const char* instance = nullptr;  // NUL-terminated instance name
  InputKind kind = InputKind::http;
  const og_http_request* http = nullptr;  // http: the request handed to the route handler
  og_str ws_path{nullptr, 0};             // ws: the route's path below the mount
  og_str ws_frame{nullptr, 0};            // ws: the frame handed to on_message
  int32_t ws_is_text = 0;
  int64_t outbox_id = 0;  // outbox: the row handed to send_message/lookup_send
};

// Marks `input` as the current thread's input in flight until destroyed; nests (the previous
// one is current again afterwards). Never allocates.
class InputScope {
 public:
  explicit InputScope(const InputInFlight& input) noexcept;
  ~InputScope();
  InputScope(const InputScope&) = delete;
  InputScope& operator=(const InputScope&) = delete;

 private:
  const InputInFlight* previous_;
};

// The calling thread's input in flight, or nullptr. Async-signal-safe to read.
const InputInFlight* current_input() noexcept;

// An owned copy of an input: what a crash record holds and what the quarantine stores.
struct CapturedInput {
  std::string instance;
  InputKind kind = InputKind::http;
  // http
  std::string method, target, path;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as received
  std::string body;
  std::string remote_addr;
  // ws
  std::string ws_path, ws_frame;
  bool ws_is_text = false;
  // outbox
  int64_t outbox_id = 0;

  static CapturedInput capture(const InputInFlight& input);

  // What identifies "the same input" across a provider's retries and across restarts:
  //   http   → sha256 hex of (instance \0 "http" \0 method \0 path below the mount \0 body)
  //   ws     → sha256 hex of (instance \0 "ws" \0 route path \0 frame)
  //   outbox → "outbox:<id>"
  // Headers, target and remote address are left out: a provider's retry may differ there.
  std::string key() const;

  // The whole input as a JSON object, exact to the byte (the quarantine stores it and the
  // gateway replays a released input from it): {"kind", "instance", and
  //   http:   "method", "target", "path", "headers": [[name, value], ...], "body_base64",
  //           "remote_addr";
  //   ws:     "path", "frame_base64", "is_text";
  //   outbox: "outbox_id"}.
  // Bodies and frames are always base64. Any other string that is not valid UTF-8 (a header
  // value with obs-text bytes, say) is written as {"base64": "..."} in place of the string,
  // since a JSON string can carry only Unicode.
  std::string raw_json() const;
  static std::optional<CapturedInput> from_raw_json(std::string_view json);

  bool operator==(const CapturedInput&) const = default;
};

}  // namespace omnigate::isolation
