#include "outbox/outbox_sender.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "outbox/retry_delay.hpp"

#include <atomic>
#include <random>
#include <set>
#include <string>

namespace omnigate {

namespace {
constexpr std::string_view kComponent = "outbox";
constexpr int kRowsPerPoll = 64;
const char* const kOutboundTotal = "omnigate_outbound_total";
const char* const kOutboundHelp = "Outbound send attempts by channel instance and result.";
}  // namespace

// Everything below runs on `strand`, except the atomics and the store/sender completions, which
// only post back to it. That serialisation is what guarantees one in-flight send per row.
struct OutboxSender::State : std::enable_shared_from_this<State> {
  store::Store& store;
  ChannelSender& sender;
  Metrics& metrics;
  config::OutboxConfig options;
  std::shared_ptr<Strand> strand;
  std::atomic<bool> running{false};
  std::set<store::Id> in_flight;  // rows between begin_attempt and their final mark
  std::uint64_t poll_timer = 0;
  std::mt19937 rng{std::random_device{}()};

  State(store::Store& s, ChannelSender& c, Executor& e, Metrics& m, config::OutboxConfig o)
      : store(s), sender(c), metrics(m), options(o), strand(e.make_strand()) {}

  void schedule_poll() {
    if (!running) return;
    std::weak_ptr<State> weak = shared_from_this();
    poll_timer = strand->post_after(std::chrono::milliseconds(options.poll_interval_ms), [weak] {
      if (auto self = weak.lock()) self->poll();
    });
  }

  void poll() {
    if (!running) return;
    strand->cancel(poll_timer);  // a wake() poll replaces the scheduled one
    for (auto& item : store.due_outbox(now_ms(), kRowsPerPoll)) {
      if (!in_flight.insert(item.id).second) continue;  // already being sent by this process
      begin(std::move(item));
    }
    schedule_poll();
  }

  void begin(store::OutboxItem item) {
    if (item.attempts >= options.max_attempts) {
      // Left "sending" by a crash on its last attempt: do not exceed the configured limit, but
      // ask first whether that attempt got through.
      look_up(std::move(item), /*may_send=*/false);
      return;
    }
    auto self = shared_from_this();
    store.outbox_begin_attempt(item.id, [self, item](store::Outcome<store::Nothing> r) mutable {
      self->strand->post([self, item = std::move(item), r = std::move(r)]() mutable {
        if (!r.ok) {
          log(LogLevel::error, kComponent,
              "outbox " + std::to_string(item.id) + ": cannot record attempt: " + r.error);
          self->in_flight.erase(item.id);
          return;
        }
        // An earlier attempt may have reached the provider (a crash, a timeout or an error
        // answer left its outcome unknown), and not every provider honours the idempotency key:
        // ask the channel before sending again.
        const bool resend = item.attempts > 0;
        item.attempts += 1;
        item.state = "sending";
        if (resend)
          self->look_up(std::move(item), /*may_send=*/true);
        else
          self->send(std::move(item));
      });
    });
  }

  void send(store::OutboxItem item) {
    auto self = shared_from_this();
    auto row = std::make_shared<store::OutboxItem>(std::move(item));
    sender.send(*row, [self, row](SendOutcome outcome) {
      self->strand->post(
          [self, row, outcome = std::move(outcome)] { self->settle(*row, outcome); });
    });
  }

  void look_up(store::OutboxItem item, bool may_send) {
    auto self = shared_from_this();
    auto row = std::make_shared<store::OutboxItem>(std::move(item));
    sender.lookup(*row, [self, row, may_send](LookupOutcome outcome) {
      self->strand->post([self, row, may_send, outcome = std::move(outcome)] {
        self->after_lookup(std::move(*row), outcome, may_send);
      });
    });
  }

  void after_lookup(store::OutboxItem item, const LookupOutcome& outcome, bool may_send) {
    const auto gave_up = [&](const std::string& why) {
      finish_failed(item, "max_attempts",
                    "gave up after " + std::to_string(item.attempts) + " attempts" + why);
    };
    switch (outcome.kind) {
      case LookupOutcome::Kind::found:
        log(LogLevel::info, kComponent,
            "outbox " + std::to_string(item.id) + " via " + item.channel_instance +
                ": an earlier attempt reached the provider as " + outcome.provider_message_id +
                "; not sent again");
        count(item, "sent");
        store.outbox_mark_sent(item.id, outcome.provider_message_id, done_for(item.id));
        return;
      case LookupOutcome::Kind::not_found:
      case LookupOutcome::Kind::unsupported:
        if (may_send)
          send(std::move(item));
        else
          gave_up("");
        return;
      case LookupOutcome::Kind::unknown:
        break;
    }
    const std::string why =
        "cannot tell whether an earlier attempt reached the provider: " +
        (outcome.error_code.empty() ? outcome.error_text
                                    : outcome.error_code + ": " + outcome.error_text);
    if (!may_send) {
      gave_up(" (" + why + ")");
      return;
    }
    SendOutcome retry;
    retry.kind = SendOutcome::Kind::retry;
    retry.error_code = "lookup_failed";
    retry.error_text = why;
    retry.retry_after_ms = outcome.retry_after_ms;
    settle(item, retry);
  }

  void settle(const store::OutboxItem& item, const SendOutcome& outcome) {
    switch (outcome.kind) {
      case SendOutcome::Kind::sent:
        count(item, "sent");
        store.outbox_mark_sent(item.id, outcome.provider_message_id, done_for(item.id));
        return;
      case SendOutcome::Kind::permanent:
        finish_failed(item, outcome.error_code.empty() ? "permanent" : outcome.error_code,
                      outcome.error_text);
        return;
      case SendOutcome::Kind::retry:
        break;
    }
    const std::string why = outcome.error_code.empty()
                                ? outcome.error_text
                                : outcome.error_code + ": " + outcome.error_text;
    if (item.attempts >= options.max_attempts) {
      finish_failed(item, "max_attempts",
                    "gave up after " + std::to_string(item.attempts) + " attempts: " + why);
      return;
    }
    count(item, "retry");
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    const auto delay = retry_delay(options, item.attempts, outcome.retry_after_ms, jitter(rng));
    store.outbox_mark_retry(item.id, now_ms() + delay.count(), why, done_for(item.id));
  }

  void finish_failed(const store::OutboxItem& item, const std::string& code,
                     const std::string& text) {
    count(item, "failed");
    log(LogLevel::warn, kComponent,
        "outbox " + std::to_string(item.id) + " via " + item.channel_instance + " failed: " + code);
    store.outbox_mark_failed(item.id, code, text, done_for(item.id));
  }

  void count(const store::OutboxItem& item, const char* result) {
    metrics.counter_add(kOutboundTotal, kOutboundHelp,
                        {{"channel", item.channel_instance}, {"result", result}});
  }

  // The row leaves in_flight only once its final state is committed, so a poll in between can
  // never see it as a "sending" row left over from a crash.
  store::Completion<store::Nothing> done_for(store::Id id) {
    auto self = shared_from_this();
    return [self, id](store::Outcome<store::Nothing> r) {
      self->strand->post([self, id, r = std::move(r)] {
        if (!r.ok)
          log(LogLevel::error, kComponent,
              "outbox " + std::to_string(id) + ": cannot record the outcome: " + r.error);
        self->in_flight.erase(id);
      });
    };
  }
};

OutboxSender::OutboxSender(store::Store& store, ChannelSender& sender, Executor& executor,
                           Metrics& metrics, config::OutboxConfig options)
    : state_(std::make_shared<State>(store, sender, executor, metrics, options)) {
  std::weak_ptr<State> weak = state_;
  metrics.add_collector([weak](Metrics& m) {
    auto self = weak.lock();
    if (!self) return;
    const auto counts = self->store.queue_counts();
    double pending = 0;
    for (const auto& [state, n] : counts.outbox_by_state)
      if (state == "pending" || state == "retry" || state == "sending") pending += n;
    m.gauge_set("omnigate_outbox_pending", "Outbox rows not yet sent or failed.", {}, pending);
  });
}

OutboxSender::~OutboxSender() {
  stop();
}

void OutboxSender::start() {
  if (state_->running.exchange(true)) return;
  // The first poll picks up everything a previous run left pending, retrying or sending.
  wake();
}

void OutboxSender::stop() {
  if (!state_->running.exchange(false)) return;
  auto state = state_;
  state->strand->post([state] { state->strand->cancel(state->poll_timer); });
}

void OutboxSender::wake() {
  std::weak_ptr<State> weak = state_;
  state_->strand->post([weak] {
    if (auto self = weak.lock()) self->poll();
  });
}

}  // namespace omnigate
