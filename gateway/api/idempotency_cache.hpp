// Remembers the outcome of recent replies by (user, Idempotency-Key) so that a client retrying a
// POST .../reply after a lost response gets the first reply's ids instead of a second reply.
// In memory and bounded: it covers client retries within one gateway run (see docs/api.md);
// the store has no idempotency column yet.
#pragma once

#include "store/model.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace omnigate::api {

class IdempotencyCache {
 public:
  explicit IdempotencyCache(std::size_t capacity = 10000) : capacity_(capacity) {}

  enum class Claim { fresh, in_progress, done };
  // fresh: the caller owns the key and must finish() or abandon() it.
  Claim claim(const std::string& key, store::ReplyResult& previous) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      entries_.emplace(key, std::nullopt);
      order_.push_back(key);
      evict();
      return Claim::fresh;
    }
    if (!it->second) return Claim::in_progress;
    previous = *it->second;
    return Claim::done;
  }
  void finish(const std::string& key, store::ReplyResult result) {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) it->second = result;
  }
  // The reply was not stored: a retry with the same key may try again.
  void abandon(const std::string& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
    // Also forget its place in the eviction order, so a later claim of the same key is not
    // evicted early by this stale position.
    if (auto it = std::find(order_.rbegin(), order_.rend(), key); it != order_.rend())
      order_.erase(std::next(it).base());
  }

 private:
  void evict() {
    while (order_.size() > capacity_) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
  }
  std::mutex mu_;
  std::size_t capacity_;
  std::map<std::string, std::optional<store::ReplyResult>> entries_;
  std::deque<std::string> order_;
};

}  // namespace omnigate::api
