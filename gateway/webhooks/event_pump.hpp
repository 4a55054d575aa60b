// Turns transcript events into webhook deliveries: reads the store's events in id order after
// the persisted webhook cursor, and for each public event (event_types.hpp) enqueues one
// delivery per subscription that takes it, moving the cursor in the same transaction. A crash
// anywhere leaves either both written or neither, so no event is lost or enqueued twice.
// Runs whether or not any subscription exists, so that one added later starts with the events
// after its start, not with the whole history.
#pragma once

#include "core/executor.hpp"
#include "store/store.hpp"
#include "webhooks/subscriptions.hpp"

#include <functional>
#include <memory>

namespace omnigate::webhooks {

class EventPump {
 public:
  // `enqueued` runs (on the pump's strand) after deliveries were committed. References must
  // outlive the pump (stop() first).
  EventPump(store::Store& store, Executor& executor, const Subscriptions& subscriptions,
            std::function<void()> enqueued);
  ~EventPump();  // stop()s
  EventPump(const EventPump&) = delete;
  EventPump& operator=(const EventPump&) = delete;

  void start();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::webhooks
