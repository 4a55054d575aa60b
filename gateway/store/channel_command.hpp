// An agent's command for the channel of one conversation (POST /api/v1/conversations/{id}/command
// → og_plugin_api.on_command, ABI 2.2; e.g. a voice plugin's "recording.pause"): handed by the
// agent API to the plugin host. A neutral type so that neither side depends on the other.
#pragma once

#include "store/model.hpp"

#include <functional>
#include <string>

namespace omnigate::store {

struct ChannelCommand {
  Id conversation_id = 0;
  std::string command;    // [a-z_.]{1,32}
  std::string data_json;  // a JSON object or empty
  std::string agent_id;   // who asked: the agent id, or "user:<name>" for a user without one
};

struct ChannelCommandOutcome {
  enum class Kind {
    done,          // the plugin carried it out or started it
    not_possible,  // not now: no such live contact, the channel takes no commands, not running
    invalid,       // the plugin refused the command or its data (error says why)
    unknown_conversation,
  };
  Kind kind = Kind::done;
  std::string error;
};

using ChannelCommandHandler =
    std::function<void(ChannelCommand command, std::function<void(ChannelCommandOutcome)> done)>;

}  // namespace omnigate::store
