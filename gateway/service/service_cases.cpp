#include "service/service_cases.hpp"

#include "core/log.hpp"
#include "dispatch/live_event.hpp"

#include <atomic>

namespace omnigate::service {

namespace {

constexpr const char* kComponent = "service_cases";
constexpr store::UnixMs kHourMs = 3'600'000;

}  // namespace

struct ServiceCases::State : std::enable_shared_from_this<State> {
  store::Store& store;
  std::shared_ptr<api::LiveEvents> live;
  const config::ServiceCasesConfig config;
  const Clock clock;

  State(store::Store& s, std::shared_ptr<api::LiveEvents> l, config::ServiceCasesConfig c, Clock k)
      : store(s), live(std::move(l)), config(std::move(c)), clock(std::move(k)) {}

  // Flags every open case whose current stage's target has passed and is not flagged yet.
  void pass(std::function<void()> done) {
    const store::UnixMs now = clock();
    store::ServiceCaseFilter filter;
    filter.open = true;
    filter.overdue_only = true;
    filter.now = now;
    filter.limit = 500;
    std::vector<store::ServiceCase> due;
    for (auto& c : store.list_service_cases(filter))
      if (!c.overdue_at) due.push_back(std::move(c));
    if (due.empty()) return done();
    auto pending = std::make_shared<std::atomic<std::size_t>>(due.size());
    std::weak_ptr<State> weak = shared_from_this();
    for (const auto& c : due) {
      store.mark_case_overdue(
          c.id, now, [weak, c, now, pending, done](store::Outcome<store::Nothing> r) {
            if (!r.ok)
              log(LogLevel::error, kComponent,
                  "cannot flag service case " + std::to_string(c.id) + ": " + r.error);
            else if (auto self = weak.lock())
              self->announce(c, now);
            if (--*pending == 0) done();
          });
    }
  }

  void announce(const store::ServiceCase& c, store::UnixMs now) {
    if (!live) return;
    dispatch::LiveEvent e;
    e.type = "case.stage_overdue";
    e.at = now;
    e.conversation_id = c.conversation_id;
    e.state = c.stage;
    e.due_at = c.stage_due_at.value_or(0);
    e.reason = "service case " + std::to_string(c.id) + " is past its \"" + c.stage + "\" target";
    live->publish(e);
  }
};

ServiceCases::ServiceCases(store::Store& store, Executor& executor,
                           std::shared_ptr<api::LiveEvents> live, config::ServiceCasesConfig config,
                           Clock clock)
    : state_(std::make_shared<State>(store, std::move(live), std::move(config), std::move(clock))),
      passes_(executor, std::chrono::seconds(1),
              [weak = std::weak_ptr<State>(state_)](std::function<void()> done) {
                if (auto s = weak.lock()) return s->pass(std::move(done));
                done();
              }) {}

ServiceCases::~ServiceCases() = default;

void ServiceCases::start() {
  passes_.start();
}

void ServiceCases::stop() {
  passes_.stop();
}

std::optional<store::UnixMs> ServiceCases::due_at(const std::string& stage,
                                                  store::UnixMs at) const {
  if (stage == "closed") return std::nullopt;
  const auto it = state_->config.stage_target_hours.find(stage);
  const int hours = it == state_->config.stage_target_hours.end()
                        ? state_->config.default_target_hours
                        : it->second;
  return at + hours * kHourMs;
}

}  // namespace omnigate::service
