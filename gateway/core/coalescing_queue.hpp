// Items handed over by one thread in bursts (the store's writer answers a whole group commit at
// once), taken by another in one task per burst: the producer posts a drain only when none is
// pending, instead of one post (a scheduler lock, often a wake-up) per item.
#pragma once

#include <mutex>
#include <utility>
#include <vector>

namespace omnigate {

template <class T>
class CoalescingQueue {
 public:
  // Queues `item`. True when the caller must post a drain: none is pending that would take it.
  bool push(T item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    return !std::exchange(drain_posted_, true);
  }

  // Everything queued so far, in order; the next push asks for a new drain.
  std::vector<T> take() {
    std::vector<T> items;
    std::lock_guard lock(mu_);
    items.swap(items_);
    drain_posted_ = false;
    return items;
  }

 private:
  std::mutex mu_;
  std::vector<T> items_;
  bool drain_posted_ = false;
};

}  // namespace omnigate
