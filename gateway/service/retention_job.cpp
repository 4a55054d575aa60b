#include "service/retention_job.hpp"

#include "core/log.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::service {

namespace {

constexpr std::string_view kComponent = "retention";

}  // namespace

struct RetentionJob::State {
  store::Store& store;
  std::vector<store::RetentionRule> rules;
  Clock clock;

  // The completion holds `self`: it runs on the store's writer thread, possibly after the job
  // that started the pass is gone (a stop at shutdown).
  static void pass(const std::shared_ptr<State>& self, std::function<void()> done) {
    const store::UnixMs at = self->clock();
    store::RetentionRun run;
    run.rules = self->rules;
    run.now = at;
    self->store.apply_retention(std::move(run), [self, at, done = std::move(done)](
                                                    store::Outcome<store::RetentionOutcome> r) {
      auto& store = self->store;
      if (!r.ok) {
        log(LogLevel::error, kComponent, "retention run failed: " + r.error);
      } else if (!r.value.conversations.empty()) {
        log(LogLevel::info, kComponent,
            "emptied " + std::to_string(r.value.conversations.size()) + " conversation(s), " +
                std::to_string(r.value.messages) + " message(s); " + std::to_string(r.value.held) +
                " kept by legal hold");
        store.audit({"system", "retention.apply", "conversations", "",
                     nlohmann::json{{"conversations", r.value.conversations},
                                    {"messages", r.value.messages},
                                    {"held", r.value.held}}
                         .dump(),
                     at},
                    [](store::Outcome<store::Nothing>) {});
      }
      done();
    });
  }
};

RetentionJob::RetentionJob(store::Store& store, Executor& executor,
                           std::vector<store::RetentionRule> rules, Clock clock)
    : state_(std::make_shared<State>(State{store, std::move(rules), std::move(clock)})),
      passes_(executor, std::chrono::hours(24),
              [weak = std::weak_ptr<State>(state_)](std::function<void()> done) {
                if (auto s = weak.lock()) return State::pass(s, std::move(done));
                done();
              }) {}

RetentionJob::~RetentionJob() = default;

void RetentionJob::start() {
  passes_.start();
}

void RetentionJob::stop() {
  passes_.stop();
}

}  // namespace omnigate::service
