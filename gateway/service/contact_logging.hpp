// "Every interaction is logged within 2 hours" (DOMAIN.md), as a check that runs by itself:
// once a second it opens a contact log for each end of an agent's contact (store
// open_contact_logs), reminds the agent before the log falls due and flags it overdue after,
// each as a transcript event and an event on the live stream addressed to the agent. One pass at
// a time (repeating_pass.hpp): a pass's writes are committed before the next looks.
#pragma once

#include "api/live_events.hpp"
#include "config/config.hpp"
#include "core/executor.hpp"
#include "service/repeating_pass.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>

namespace omnigate::service {

class ContactLogging {
 public:
  using Clock = std::function<store::UnixMs()>;
  ContactLogging(store::Store& store, Executor& executor, std::shared_ptr<api::LiveEvents> live,
                 config::ContactLoggingConfig config, Clock clock);
  ~ContactLogging();  // stops (the passes' member does)
  ContactLogging(const ContactLogging&) = delete;
  ContactLogging& operator=(const ContactLogging&) = delete;

  void start();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
  RepeatingPass passes_;
};

}  // namespace omnigate::service
