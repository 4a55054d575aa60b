// Something that happened to a conversation that the channel it came through is told about
// (og_plugin_api.on_conversation): raised by the routing dispatcher and the agent API once the
// change is committed, delivered by the plugin host to the instance that owns the conversation.
#pragma once

#include "store/model.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace omnigate::store {

struct ConversationChange {
  // Values of og_conversation_change (plugin_abi.h).
  enum class Kind { assigned = 1, transferred, resolved, closed, agent_typing, queue_changed };
  Kind kind = Kind::assigned;
  Id conversation_id = 0;
  std::string agent_id;                // the agent who has it after the change ("" = the queue)
  std::string previous_agent_id;       // transferred: who had it ("" = the queue)
  int queue_position = 0;              // queue_changed: 1-based place in the queue
  std::int64_t expected_wait_ms = -1;  // queue_changed: the estimate, -1 unknown
  // og_conversation_notice.detail_json: a JSON object or empty. transferred:
  // {"mode":"cold"|"warm","by":"user:<name>"}.
  std::string detail_json;
};

inline ConversationChange conversation_change(ConversationChange::Kind kind, Id conversation_id,
                                              std::string agent_id = {},
                                              std::string previous_agent_id = {}) {
  ConversationChange c;
  c.kind = kind;
  c.conversation_id = conversation_id;
  c.agent_id = std::move(agent_id);
  c.previous_agent_id = std::move(previous_agent_id);
  return c;
}

// Called from any thread (the store's writer thread included): must only hand the change on.
using ConversationListener = std::function<void(const ConversationChange&)>;

}  // namespace omnigate::store
