#include "webhooks/delivery_sender.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "outbox/retry_delay.hpp"
#include "plugin_host/http_fetcher.hpp"
#include "webhooks/signature.hpp"

#include <atomic>
#include <random>
#include <set>

namespace omnigate::webhooks {

namespace {
constexpr std::string_view kComponent = "webhooks";
constexpr int kDeliveriesPerPoll = 32;
constexpr auto kPollInterval = std::chrono::milliseconds(500);
// A receiver's answer is read only for its status; more than this of it is not wanted.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
const char* const kTotal = "omnigate_webhook_attempts_total";
const char* const kHelp = "Outbound webhook delivery attempts by subscription and result.";
}  // namespace

// Everything runs on `strand` but the fetcher's and the store's completions, which post back to
// it: that is what keeps each delivery to one request at a time.
struct DeliverySender::State : std::enable_shared_from_this<State> {
  store::Store& store;
  Metrics& metrics;
  const Subscriptions& subscriptions;
  plugin_host::HttpFetcher& fetcher;
  std::shared_ptr<Strand> strand;
  std::atomic<bool> running{false};
  std::set<store::Id> in_flight;  // from begin_webhook_attempt until the outcome is committed
  std::uint64_t poll_timer = 0;
  std::mt19937 rng{std::random_device{}()};

  State(store::Store& s, Executor& e, Metrics& m, const Subscriptions& subs,
        plugin_host::HttpFetcher& f)
      : store(s), metrics(m), subscriptions(subs), fetcher(f), strand(e.make_strand()) {}

  void schedule_poll() {
    if (!running) return;
    std::weak_ptr<State> weak = shared_from_this();
    poll_timer = strand->post_after(kPollInterval, [weak] {
      if (auto self = weak.lock()) self->poll();
    });
  }

  void poll() {
    if (!running) return;
    strand->cancel(poll_timer);  // a wake() poll replaces the scheduled one
    for (auto& d : store.due_webhook_deliveries(now_ms(), kDeliveriesPerPoll)) {
      if (!in_flight.insert(d.id).second) continue;
      begin(std::move(d));
    }
    schedule_poll();
  }

  void begin(store::WebhookDelivery d) {
    const auto* sub = subscriptions.find(d.subscription);
    if (!sub)
      return finish(d, {store::WebhookAttemptOutcome::Kind::failed, 0,
                        "subscription no longer configured", now_ms(), 0});
    if (d.attempts >= sub->max_attempts)  // left "sending" by a crash on its last attempt
      return finish(d, {store::WebhookAttemptOutcome::Kind::failed, d.last_status,
                        "gave up after " + std::to_string(d.attempts) +
                            " attempts (the last one's outcome is unknown: restart)",
                        now_ms(), 0});
    auto self = shared_from_this();
    store.begin_webhook_attempt(d.id, [self, d](store::Outcome<store::Nothing> r) mutable {
      self->strand->post([self, d = std::move(d), r = std::move(r)]() mutable {
        if (!r.ok) {
          log(LogLevel::error, kComponent,
              "delivery " + std::to_string(d.id) + ": cannot record the attempt: " + r.error);
          self->in_flight.erase(d.id);
          return;
        }
        d.attempts += 1;
        self->send(std::move(d));
      });
    });
  }

  void send(store::WebhookDelivery d) {
    if (!running) {  // stopped meanwhile (the fetcher may be gone): resumed at the next start
      in_flight.erase(d.id);
      return;
    }
    const auto* sub = subscriptions.find(d.subscription);
    plugin_host::FetchSpec spec;
    spec.method = "POST";
    spec.url = sub->url;
    spec.body = d.payload;
    spec.timeout_ms = sub->timeout_ms;
    spec.max_response_bytes = kMaxAnswerBytes;
    spec.allow_restricted_addresses = sub->allow_private_fetch;
    spec.headers = {
        {"Content-Type", "application/json"},
        {"User-Agent", "omnigate-webhooks/1"},
        {"Omnigate-Event", d.event_type},
        {"Omnigate-Delivery", std::to_string(d.id)},
        {"Omnigate-Signature", signature_header(sub->secret, now_ms() / 1000, d.payload)}};
    if (const auto error = plugin_host::fetch_spec_error(spec); !error.empty())
      return finish(d, {store::WebhookAttemptOutcome::Kind::failed, 0, error, now_ms(), 0});
    auto self = shared_from_this();
    auto row = std::make_shared<store::WebhookDelivery>(std::move(d));
    fetcher.start(std::move(spec), [self, row](plugin_host::FetchResult result) {
      self->strand->post([self, row, result = std::move(result)] { self->settle(*row, result); });
    });
  }

  void settle(const store::WebhookDelivery& d, const plugin_host::FetchResult& result) {
    if (!running) {
      // Stopping: the request was cut off. The row stays "sending" and the next start sends it
      // again (it counts as an attempt).
      in_flight.erase(d.id);
      return;
    }
    const auto* sub = subscriptions.find(d.subscription);
    using Kind = store::WebhookAttemptOutcome::Kind;
    const store::UnixMs now = now_ms();
    if (result.http_status >= 200 && result.http_status < 300) {
      count(d, "delivered");
      return finish(d, {Kind::delivered, result.http_status, "", now, 0});
    }
    const std::string why =
        result.http_status != 0 ? "HTTP " + std::to_string(result.http_status) : result.error;
    if (!sub || d.attempts >= sub->max_attempts) {
      count(d, "failed");
      log(LogLevel::warn, kComponent,
          "delivery " + std::to_string(d.id) + " to " + d.subscription + " failed after " +
              std::to_string(d.attempts) + " attempts: " + why);
      return finish(d,
                    {Kind::failed, result.http_status,
                     "gave up after " + std::to_string(d.attempts) + " attempts: " + why, now, 0});
    }
    count(d, "retry");
    config::OutboxConfig backoff;
    backoff.initial_backoff_ms = sub->initial_backoff_ms;
    backoff.max_backoff_ms = sub->max_backoff_ms;
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    const auto delay = retry_delay(backoff, d.attempts, 0, jitter(rng));
    finish(d, {Kind::retry, result.http_status, why, now, now + delay.count()});
  }

  // The delivery leaves in_flight only once its outcome is committed, so a poll in between
  // never takes it for a "sending" row left by a crash.
  void finish(const store::WebhookDelivery& d, store::WebhookAttemptOutcome outcome) {
    auto self = shared_from_this();
    const store::Id id = d.id;
    store.mark_webhook_attempt(
        id, std::move(outcome), [self, id](store::Outcome<store::Nothing> r) {
          self->strand->post([self, id, r = std::move(r)] {
            if (!r.ok)
              log(LogLevel::error, kComponent,
                  "delivery " + std::to_string(id) + ": cannot record the outcome: " + r.error);
            self->in_flight.erase(id);
          });
        });
  }

  void count(const store::WebhookDelivery& d, const char* result) {
    metrics.counter_add(kTotal, kHelp, {{"subscription", d.subscription}, {"result", result}});
  }
};

DeliverySender::DeliverySender(store::Store& store, Executor& executor, Metrics& metrics,
                               const Subscriptions& subscriptions)
    : fetcher_(std::make_unique<plugin_host::HttpFetcher>()),
      state_(std::make_shared<State>(store, executor, metrics, subscriptions, *fetcher_)) {}

DeliverySender::~DeliverySender() {
  stop();
}

void DeliverySender::start() {
  if (state_->running.exchange(true)) return;
  wake();
}

void DeliverySender::stop() {
  if (!state_->running.exchange(false)) return;
  auto state = state_;
  state->strand->post([state] { state->strand->cancel(state->poll_timer); });
}

void DeliverySender::wake() {
  std::weak_ptr<State> weak = state_;
  state_->strand->post([weak] {
    if (auto self = weak.lock()) self->poll();
  });
}

}  // namespace omnigate::webhooks
