#include "plugin_host/own_conversations.hpp"

namespace omnigate::plugin_host {

void OwnConversations::add(std::int64_t conversation_id) {
  if (conversation_id == 0) return;
  std::lock_guard lock(mu_);
  if (ids_.size() >= capacity_ && ids_.count(conversation_id) == 0) ids_.clear();
  ids_.insert(conversation_id);
}

bool OwnConversations::contains(std::int64_t conversation_id) const {
  std::lock_guard lock(mu_);
  return ids_.count(conversation_id) != 0;
}

}  // namespace omnigate::plugin_host
