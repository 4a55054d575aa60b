// What the outbox needs from the plugin host: "deliver this row through its channel".
// An interface so the outbox sender can be tested with a fake channel.
#pragma once

#include "store/model.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace omnigate {

struct SendOutcome {
  enum class Kind { sent, retry, permanent };
  Kind kind = Kind::retry;
  std::string provider_message_id;  // when sent
  std::string error_code, error_text;
  int retry_after_ms = 0;  // provider's hint on retry (0 = use backoff)
};

// "sent", "retry" or "permanent": the name in metrics labels and reports.
inline const char* send_outcome_name(SendOutcome::Kind kind) {
  switch (kind) {
    case SendOutcome::Kind::sent:
      return "sent";
    case SendOutcome::Kind::retry:
      return "retry";
    case SendOutcome::Kind::permanent:
      return "permanent";
  }
  return "unknown";
}

// The answer to "does the provider already have this reply?" (asked before a re-send).
struct LookupOutcome {
  enum class Kind {
    found,        // the provider has it: record provider_message_id, do not send again
    not_found,    // it does not: send now
    unknown,      // cannot tell now (provider unreachable): ask again later, never re-send blindly
    unsupported,  // the channel cannot look sends up: re-send with the idempotency key
  };
  Kind kind = Kind::unknown;
  std::string provider_message_id;  // when found
  std::string error_code, error_text;
  int retry_after_ms = 0;  // when unknown: the provider's hint (0 = use backoff)
};

class ChannelSender {
 public:
  virtual ~ChannelSender() = default;
  // Hand the row to the plugin of item.channel_instance. `done` is called exactly once, from
  // any thread: with the plugin's send_result, with its immediate RETRY/PERMANENT, with
  // `permanent` when the instance does not exist, or `retry` when it is not running
  // (disabled, stopping) or did not answer within the send timeout.
  virtual void send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) = 0;
  // Ask the channel whether an earlier attempt of this row reached the provider. `done` is
  // called exactly once, from any thread; `unknown` for the same reasons `send` gives `retry`.
  virtual void lookup(const store::OutboxItem& item, std::function<void(LookupOutcome)> done) {
    (void)item;
    done(LookupOutcome{LookupOutcome::Kind::unsupported, {}, {}, {}, 0});
  }
};

}  // namespace omnigate
