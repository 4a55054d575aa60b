// The conversation ids a channel instance is known to own, so that og_host_api.signal — called
// for every keystroke burst of a web-chat visitor — checks "a conversation of this instance"
// without a store read each time. Filled as the instance's messages are committed and its
// replies sent; a miss falls back to the store. Bounded: when full it starts over (the store
// answers the misses), so a long-running gateway does not grow it without end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace omnigate::plugin_host {

class OwnConversations {
 public:
  explicit OwnConversations(std::size_t capacity = 65536) : capacity_(capacity) {}

  void add(std::int64_t conversation_id);
  bool contains(std::int64_t conversation_id) const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<std::int64_t> ids_;
};

}  // namespace omnigate::plugin_host
