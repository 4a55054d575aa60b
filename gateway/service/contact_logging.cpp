#include "service/contact_logging.hpp"

#include "core/log.hpp"
#include "dispatch/live_event.hpp"

#include <atomic>

namespace omnigate::service {

namespace {

constexpr const char* kComponent = "contact_logging";

}  // namespace

struct ContactLogging::State : std::enable_shared_from_this<State> {
  store::Store& store;
  std::shared_ptr<api::LiveEvents> live;
  const store::UnixMs window_ms;
  const store::UnixMs remind_before_ms;
  const Clock clock;

  State(store::Store& s, std::shared_ptr<api::LiveEvents> l, const config::ContactLoggingConfig& c,
        Clock k)
      : store(s),
        live(std::move(l)),
        window_ms(store::UnixMs{c.within_minutes} * 60'000),
        remind_before_ms(store::UnixMs{c.remind_before_minutes} * 60'000),
        clock(std::move(k)) {}

  // Opens the logs of contacts that ended, then gives the reminders and overdue flags now due.
  void pass(std::function<void()> done) {
    std::weak_ptr<State> weak = shared_from_this();
    store.open_contact_logs(
        window_ms, [weak, done](store::Outcome<std::vector<store::ContactLog>> r) {
          if (!r.ok) log(LogLevel::error, kComponent, "cannot open contact logs: " + r.error);
          if (auto self = weak.lock()) return self->remind(done);
          done();
        });
  }

  void remind(const std::function<void()>& done) {
    const store::UnixMs now = clock();
    const auto due = store.contact_logs_due(now, remind_before_ms);
    if (due.empty()) return done();
    auto pending = std::make_shared<std::atomic<std::size_t>>(due.size());
    std::weak_ptr<State> weak = shared_from_this();
    for (const auto& l : due) {
      const bool overdue = l.due_at <= now;
      store.mark_contact_log(
          l.id, overdue, now,
          [weak, l, overdue, now, pending, done](store::Outcome<store::Nothing> r) {
            if (!r.ok)
              log(LogLevel::error, kComponent,
                  "cannot mark contact log " + std::to_string(l.id) + ": " + r.error);
            else if (auto self = weak.lock())
              self->announce(l, overdue, now);
            if (--*pending == 0) done();
          });
    }
  }

  void announce(const store::ContactLog& l, bool overdue, store::UnixMs now) {
    if (!live) return;
    dispatch::LiveEvent e;
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
    : state_(std::make_shared<State>(store, std::move(live), config, std::move(clock))),
      passes_(executor, std::chrono::seconds(1),
              [weak = std::weak_ptr<State>(state_)](std::function<void()> done) {
                if (auto s = weak.lock()) return s->pass(std::move(done));
                done();
              }) {}

ContactLogging::~ContactLogging() = default;

void ContactLogging::start() {
  passes_.start();
}

void ContactLogging::stop() {
  passes_.stop();
}

}  // namespace omnigate::service
