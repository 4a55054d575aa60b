// Conversation notices (og_plugin_api.on_conversation) and the conversation query
// (og_host_api.get_conversation): what a channel plugin learns about the conversations that
// came through its instance — who has them (with the agent's display name and contact fields),
// transfers, resolution, an agent typing, and the place in the queue while one waits.
#pragma once

#include "store/conversation_change.hpp"
#include "store/store.hpp"

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace omnigate::plugin_host {

// The queue positions the routing dispatcher announced last, for get_conversation between
// notices. Thread-safe; updated on whatever thread announces a change.
class QueuePositions {
 public:
  // A queue_changed change records the position; any other change ends the wait.
  void apply(const store::ConversationChange& change);
  // {position, expected wait ms}; {0, -1} when the conversation is not known to wait.
  std::pair<int, std::int64_t> of(store::Id conversation_id) const;

 private:
  mutable std::mutex mu_;
  std::map<store::Id, std::pair<int, std::int64_t>> positions_;
};

// One conversation as a plugin is told it. Owns its strings; view() borrows them.
struct ConversationSnapshot {
  std::int64_t conversation_id = 0;
  std::string channel_instance;
  std::string thread_key, customer_kind, customer_address;
  std::string status;  // "waiting" | "assigned" | "resolved" | "closed"
  int priority = 0;
  int queue_position = 0;
  std::int64_t expected_wait_ms = -1;
  std::string agent_id, agent_display_name, agent_contact_json;

  og_conversation_state view() const;
};

// The conversation as the store has it now (synchronous reads: conversation, customer, agent),
// with the queue position from `positions`. When `change` is given and names an agent
// (assigned, transferred, typing), that agent is the one described. nullopt when unknown.
std::optional<ConversationSnapshot> conversation_snapshot(
    store::Store& store, store::Id conversation_id, const QueuePositions& positions,
    const store::ConversationChange* change = nullptr);

// Fills get_conversation into the host table (host_api.cpp make_table).
void install_conversation_functions(og_host_api& api);

}  // namespace omnigate::plugin_host
