#include "service/repeating_pass.hpp"

#include <atomic>

namespace omnigate::service {

struct RepeatingPass::State : std::enable_shared_from_this<State> {
  std::shared_ptr<Strand> strand;
  const std::chrono::milliseconds interval;
  const Pass pass;
  std::atomic<bool> stopped{false};
  std::uint64_t timer = 0;  // strand only

  State(Executor& executor, std::chrono::milliseconds i, Pass p)
      : strand(executor.make_strand()), interval(i), pass(std::move(p)) {}

  void run() {
    if (stopped) return;
    std::weak_ptr<State> weak = shared_from_this();
    pass([weak] {
      auto self = weak.lock();
      if (!self) return;
      self->strand->post([weak] {
        auto state = weak.lock();
        if (!state || state->stopped) return;
        state->timer = state->strand->post_after(state->interval, [weak] {
          if (auto s = weak.lock()) s->run();
        });
      });
    });
  }
};

RepeatingPass::RepeatingPass(Executor& executor, std::chrono::milliseconds interval, Pass pass)
    : state_(std::make_shared<State>(executor, interval, std::move(pass))) {}

RepeatingPass::~RepeatingPass() {
  stop();
}

void RepeatingPass::start() {
  state_->strand->post([s = state_] { s->run(); });
}

void RepeatingPass::stop() {
  state_->stopped = true;
  state_->strand->post([s = state_] { s->strand->cancel(s->timer); });
}

}  // namespace omnigate::service
