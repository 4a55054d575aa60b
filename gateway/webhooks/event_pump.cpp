#include "webhooks/event_pump.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "webhooks/event_types.hpp"

#include <atomic>

namespace omnigate::webhooks {

namespace {
constexpr std::string_view kComponent = "webhooks";
constexpr int kEventsPerRead = 500;
// New events are found by looking, not by being told: every writer of events would otherwise
// need to know about webhooks. Half a second is the most a delivery waits for it.
constexpr auto kPollInterval = std::chrono::milliseconds(500);
}  // namespace

struct EventPump::State : std::enable_shared_from_this<State> {
  store::Store& store;
  const Subscriptions& subscriptions;
  std::function<void()> enqueued;
  std::shared_ptr<Strand> strand;
  std::atomic<bool> running{false};
  std::uint64_t timer = 0;

  State(store::Store& s, Executor& e, const Subscriptions& subs, std::function<void()> cb)
      : store(s), subscriptions(subs), enqueued(std::move(cb)), strand(e.make_strand()) {}

  void schedule(std::chrono::milliseconds delay) {
    if (!running) return;
    std::weak_ptr<State> weak = shared_from_this();
    timer = strand->post_after(delay, [weak] {
      if (auto self = weak.lock()) self->read();
    });
  }

  // One batch at a time: the next read waits for this batch's commit, so the cursor it starts
  // from is the committed one.
  void read() {
    if (!running) return;
    store::WebhookEnqueue batch;
    batch.expected_cursor = store.webhook_cursor();
    batch.last_event_id = batch.expected_cursor;
    const auto events = store.events_after(batch.expected_cursor, kEventsPerRead);
    if (events.empty()) return schedule(kPollInterval);
    batch.now = now_ms();
    for (const auto& source : events) {
      batch.last_event_id = source.event.id;
      const auto event = public_event(source);
      if (!event) continue;
      for (const auto* sub : subscriptions.taking(event->type))
        batch.deliveries.push_back({sub->name, source.event.id, event->type, event->payload});
    }
    const bool more = events.size() == static_cast<std::size_t>(kEventsPerRead);
    auto self = shared_from_this();
    store.enqueue_webhook_deliveries(std::move(batch), [self, more](store::Outcome<int> r) {
      self->strand->post([self, more, r = std::move(r)] {
        if (!r.ok) {
          log(LogLevel::error, kComponent, "cannot enqueue webhook deliveries: " + r.error);
          return self->schedule(kPollInterval);
        }
        if (r.value > 0 && self->enqueued) self->enqueued();
        self->schedule(more ? std::chrono::milliseconds(0) : kPollInterval);
      });
    });
  }
};

EventPump::EventPump(store::Store& store, Executor& executor, const Subscriptions& subscriptions,
                     std::function<void()> enqueued)
    : state_(std::make_shared<State>(store, executor, subscriptions, std::move(enqueued))) {}

EventPump::~EventPump() {
  stop();
}

void EventPump::start() {
  if (state_->running.exchange(true)) return;
  std::weak_ptr<State> weak = state_;
  state_->strand->post([weak] {
    if (auto self = weak.lock()) self->read();
  });
}

void EventPump::stop() {
  if (!state_->running.exchange(false)) return;
  auto state = state_;
  state->strand->post([state] { state->strand->cancel(state->timer); });
}

}  // namespace omnigate::webhooks
