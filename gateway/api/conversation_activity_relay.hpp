// The event stream's note.added, message.sent and message.status (docs/api.md "Event stream"):
// read from the transcript events the store commits (note.added, message.sent, delivery.*)
// whoever wrote them — the API, the outbox sender, a channel's status callback — and published
// with their conversation's fields, so each subscriber gets what its filter lets it see.
#pragma once

#include "core/executor.hpp"
#include "dispatch/live_publisher.hpp"
#include "store/store.hpp"

#include <chrono>
#include <memory>

namespace omnigate::api {

// How often the relay looks for new events: the stream's delay for these types at most.
inline constexpr std::chrono::milliseconds kActivityPollInterval{200};

class ConversationActivityRelay {
 public:
  ConversationActivityRelay(store::Store& store, Executor& executor,
                            std::shared_ptr<dispatch::LivePublisher> live);
  ~ConversationActivityRelay();  // stop()s
  ConversationActivityRelay(const ConversationActivityRelay&) = delete;
  ConversationActivityRelay& operator=(const ConversationActivityRelay&) = delete;

  // From the newest event committed now on: what happened before is not news.
  void start();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::api
