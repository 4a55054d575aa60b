// The plugin-process wire's decoders by number: the fuzz target picks one by its input's first
// byte, and the wire's unit tests write their round-trip encodings as seeds with the same byte.
#pragma once

#include "plugin_process/wire.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace omnigate::plugin_process::test {

enum class WireKind : std::uint8_t {
  http_request,
  http_response,
  route_options,
  inbound_message,
  delivery_report,
  channel_event,
  outbound_message,
  send_result,
  send_lookup,
  unsettled_send,
  fetch_request,
  fetch_response,
  conversation_state,
  conversation_notice,
};
constexpr std::uint8_t kWireKinds = 14;

// Decodes the start of `frame` as `kind` (throwing WireError as read_* does), encodes the value
// again and returns that encoding. `at_end` says whether the decoder used the whole frame.
inline std::string reencode(WireKind kind, std::string_view frame, bool* at_end = nullptr) {
  WireReader r(frame);
  WireArena a;
  WireWriter w;
  switch (kind) {
    case WireKind::http_request:
      write_http_request(w, read_http_request(r, a));
      break;
    case WireKind::http_response:
      write_http_response(w, read_http_response(r, a));
      break;
    case WireKind::route_options:
      write_route_options(w, read_route_options(r));
      break;
    case WireKind::inbound_message:
      write_inbound_message(w, read_inbound_message(r, a));
      break;
    case WireKind::delivery_report:
      write_delivery_report(w, read_delivery_report(r));
      break;
    case WireKind::channel_event:
      write_channel_event(w, read_channel_event(r, a));
      break;
    case WireKind::outbound_message:
      write_outbound_message(w, read_outbound_message(r, a));
      break;
    case WireKind::send_result:
      write_send_result(w, read_send_result(r));
      break;
    case WireKind::send_lookup:
      write_send_lookup(w, read_send_lookup(r, a));
      break;
    case WireKind::unsettled_send:
      write_unsettled_send(w, read_unsettled_send(r));
      break;
    case WireKind::fetch_request:
      write_fetch_request(w, read_fetch_request(r, a));
      break;
    case WireKind::fetch_response:
      write_fetch_response(w, read_fetch_response(r, a));
      break;
    case WireKind::conversation_state:
      write_conversation_state(w, read_conversation_state(r));
      break;
    case WireKind::conversation_notice:
      write_conversation_notice(w, read_conversation_notice(r, a));
      break;
  }
  if (at_end != nullptr) *at_end = r.at_end();
  return w.take();
}

}  // namespace omnigate::plugin_process::test
