// The methods of the channel between the gateway and a plugin-host process (rpc_channel.hpp).
// Plugin-side methods are og_plugin_api functions and the callbacks the plugin registered;
// host-side methods are og_host_api functions. Payloads are written with wire.hpp: every call
// result starts with the og_status (i32) and, where the function has an og_error, its message.
#pragma once

#include <cstdint>

namespace omnigate::plugin_process {

// gateway → plugin-host process
enum class PluginMethod : std::uint32_t {
  load = 1,            // file → ok, error, the plugin's description
  create,              // instance, config_json, host_info → status, error
  start,               // → status, error
  stop,                //
  destroy,             //
  send_message,        // ticket, og_outbound_message → status, error
  lookup_send,         // ticket, og_outbound_message, og_send_lookup → status, error
  on_timer,            // timer id
  on_conversation,     // og_conversation_notice
  http_handler,        // handler id, og_http_request → status
  ws_open,             // handlers id, conn id, og_http_request → status
  ws_message,          // handlers id, conn id, data, is_text
  ws_close,            // handlers id, conn id
  commit_done,         // callback id, status, id
  fetch_done,          // callback id, fetch id, og_fetch_response
  kv_visit,            // callback id, value
  kv_done,             // callback id, status
  task,                // callback id, cancelled
  unsettled_visit,     // callback id, og_unsettled_send
  conversation_visit,  // callback id, og_conversation_state
  on_command,          // ABI 2.2: og_channel_command → status, error
  customer_visit       // ABI 2.2: callback id, og_customer_info
};

// plugin-host process → gateway
enum class HostMethod : std::uint32_t {
  log = 101,
  register_http_route,
  register_ws_route,
  respond,
  submit_inbound,
  submit_delivery,
  submit_event,
  send_result,
  ws_send,
  ws_close,
  set_timer,
  cancel_timer,
  http_fetch,
  kv_get,
  kv_put,
  kv_delete,
  list_unsettled_sends,
  post,
  get_conversation,
  blob_begin,
  blob_write,
  blob_finish,
  blob_abort,
  blob_read,
  metric_register,
  metric_record,
  signal,                // ABI 2.1: conversation id, kind, data_json → status
  channel_availability,  // ABI 2.1: skills (count, then skill, min level) → status, the answer
  conversation_action,   // ABI 2.2: og_conversation_action, callback id → status
  customer_lookup        // ABI 2.2: kind, address, callback id → status (visits before it)
};

constexpr std::uint32_t id(PluginMethod m) {
  return static_cast<std::uint32_t>(m);
}
constexpr std::uint32_t id(HostMethod m) {
  return static_cast<std::uint32_t>(m);
}

// Optional og_plugin_api functions the plugin has (sent by `load`).
enum : std::uint32_t {
  kHasStart = 1u << 0,
  kHasStop = 1u << 1,
  kHasOnTimer = 1u << 2,
  kHasLookupSend = 1u << 3,
  kHasOnConversation = 1u << 4,
  kHasOnCommand = 1u << 5,
};

}  // namespace omnigate::plugin_process
