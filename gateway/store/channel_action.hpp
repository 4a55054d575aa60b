// What a live channel reports about one of its conversations (og_host_api.conversation_action,
// ABI 2.2): handed by the plugin host to the routing dispatcher, which records the event and
// updates routing. A neutral type so that neither side depends on the other.
#pragma once

#include "store/model.hpp"

#include <functional>
#include <string>

namespace omnigate::store {

struct ChannelAction {
  // Values of og_conversation_action_kind (plugin_abi.h).
  enum class Kind { answered = 1, requeue, abandoned, ended, transfer };
  Kind kind = Kind::answered;
  Id conversation_id = 0;  // resolved by the host (never 0 here)
  std::string instance;    // the plugin instance that reported it (the event's actor)
  std::string agent_id;  // requeue: who did not take it ("" = the assigned agent); transfer: target
  std::string reason;    // words for the event
  std::string data_json;  // a JSON object or empty
};

// The outcome: ok, or why routing refused it (e.g. the target agent has no capacity).
struct ChannelActionOutcome {
  bool ok = true;
  std::string error;
};

using ChannelActionHandler =
    std::function<void(ChannelAction action, std::function<void(ChannelActionOutcome)> done)>;

}  // namespace omnigate::store
