#include "service/contact_logging.hpp"

#include "api/live_event.hpp"
#include "core/log.hpp"

#include <atomic>

namespace omnigate::service {

namespace {

constexpr const char* kComponent = "contact_logging";
constexpr auto kPassInterval = std::chrono::seconds(1);

}  // namespace

struct ContactLogging::State : std::enable_shared_from_this<State> {
  store::Store& store;
  std::shared_ptr<Strand> strand;
  std::shared_ptr<api::LiveEvents> live;
  const store::UnixMs window_ms;
  const store::UnixMs remind_before_ms;
  const Clock clock;
  std::atomic<bool> stopped{false};
  std::uint64_t timer = 0;

  State(store::Store& s, Executor& executor, std::shared_ptr<api::LiveEvents> l,
        const config::ContactLoggingConfig& c, Clock k)
      : store(s),
        strand(executor.make_strand()),
        live(std::move(l)),
        window_ms(store::UnixMs{c.within_minutes} * 60'000),
        remind_before_ms(store::UnixMs{c.remind_before_minutes} * 60'000),
        clock(std::move(k)) {}

  void schedule() {
    if (stopped) return;
    std::weak_ptr<State> weak = shared_from_this();
    timer = strand->post_after(kPassInterval, [weak] {
      if (auto self = weak.lock()) self->pass();
    });
  }

  // Opens the logs of contacts that ended, then gives the reminders and overdue flags now due;
  // the next pass is scheduled once this one's writes are committed.
  void pass() {
    if (stopped) return;
    std::weak_ptr<State> weak = shared_from_this();
    store.open_contact_logs(window_ms, [weak](store::Outcome<std::vector<store::ContactLog>> r) {
      auto self = weak.lock();
      if (!self) return;
      if (!r.ok) log(LogLevel::error, kComponent, "cannot open contact logs: " + r.error);
      self->strand->post([weak] {
        if (auto state = weak.lock()) state->remind();
      });
    });
  }

  void remind() {
    if (stopped) return;
    const store::UnixMs now = clock();
    const auto due = store.contact_logs_due(now, remind_before_ms);
    if (due.empty()) return schedule();
    auto pending = std::make_shared<std::atomic<std::size_t>>(due.size());
    std::weak_ptr<State> weak = shared_from_this();
    for (const auto& l : due) {
      const bool overdue = l.due_at <= now;
      store.mark_contact_log(l.id, overdue, now,
                             [weak, l, overdue, now, pending](store::Outcome<store::Nothing> r) {
                               auto self = weak.lock();
                               if (!self) return;
                               if (!r.ok)
                                 log(LogLevel::error, kComponent,
                                     "cannot mark contact log " + std::to_string(l.id) + ": " +
                                         r.error);
                               else
                                 self->announce(l, overdue, now);
                               if (--*pending == 0)
                                 self->strand->post([weak] {
                                   if (auto state = weak.lock()) state->schedule();
                                 });
                             });
    }
  }

  void announce(const store::ContactLog& l, bool overdue, store::UnixMs now) {
    if (!live) return;
    api::LiveEvent e;
    e.type = overdue ? "contact_log.overdue" : "contact_log.reminder";
    e.at = now;
    e.conversation_id = l.conversation_id;
    e.agent = l.agent;
    e.due_at = l.due_at;
    e.target = l.agent;
    e.reason = overdue ? "the contact that ended was not logged in time"
                       : "log the contact before it falls due";
    live->publish(e);
  }
};

ContactLogging::ContactLogging(store::Store& store, Executor& executor,
                               std::shared_ptr<api::LiveEvents> live,
                               config::ContactLoggingConfig config, Clock clock)
    : state_(std::make_shared<State>(store, executor, std::move(live), config, std::move(clock))) {}

ContactLogging::~ContactLogging() {
  stop();
}

void ContactLogging::start() {
  state_->strand->post([s = state_] { s->pass(); });
}

void ContactLogging::stop() {
  state_->stopped = true;
  auto s = state_;
  s->strand->post([s] { s->strand->cancel(s->timer); });
}

}  // namespace omnigate::service
