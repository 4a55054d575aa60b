// P1/P2 escalations reach people: when routing escalates a conversation at once
// (sla.escalation), the customer's service director and technical expert are notified on the
// event stream (escalation.notification with recipient) and the transcript records who
// (escalation.notified). Roles nobody holds are notified as the role (docs/service-processes.md).
#pragma once

#include "api/live_events.hpp"
#include "core/executor.hpp"
#include "store/store.hpp"

#include <memory>
#include <string>

namespace omnigate::service {

class EscalationNotifier {
 public:
  EscalationNotifier(store::Store& store, Executor& executor,
                     std::shared_ptr<api::LiveEvents> live);
  // Any thread; the work runs on the notifier's strand.
  void escalated(store::Id conversation_id, store::UnixMs due_at, const std::string& reason);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::service
