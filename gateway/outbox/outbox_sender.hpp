// The outbox sender: delivers reply rows the store has already committed (a reply is a row
// first; see docs/adr/0004-outbox.md). It polls the store for due rows every poll interval (and
// at once on wake()), records each attempt BEFORE handing the row to its channel, and then marks
// the row sent, retry (exponential backoff with jitter, or the provider's Retry-After) or failed.
// A row is never sent twice concurrently. Before any attempt after the first (a row left
// "sending" by a crash, a retry after a timeout or an error answer) the channel is asked whether
// the provider already has the message (ChannelSender::lookup): found → recorded as sent, not
// found → sent, cannot tell → retried later, never re-sent blindly. Channels that cannot look
// sends up get the row again with the same idempotency key ("og-<outbox id>").
#pragma once

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "plugin_host/channel_sender.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate {

class OutboxSender {
 public:
  // References must outlive the sender (stop() before destroying them).
  OutboxSender(store::Store& store, ChannelSender& sender, Executor& executor, Metrics& metrics,
               config::OutboxConfig options);
  ~OutboxSender();  // stop()s
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();  // resumes rows left pending/sending/retry by a previous run
  // No new attempts after this; completions of sends already in flight are still recorded.
  void stop();
  void wake();  // a reply was enqueued: look now instead of at the next poll

  struct State;  // shared with callbacks that may outlive a stop()

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate
