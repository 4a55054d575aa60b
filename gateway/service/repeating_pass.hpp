// A check that runs by itself: `pass` on its own strand every interval, the next only once the
// previous said it is done (its writes committed), so passes never overlap or pile up. Used by
// the service processes that watch deadlines (contact logs, service cases).
#pragma once

#include "core/executor.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace omnigate::service {

class RepeatingPass {
 public:
  // `pass` runs on the strand and must call `done` exactly once (from any thread).
  using Pass = std::function<void(std::function<void()> done)>;
  RepeatingPass(Executor& executor, std::chrono::milliseconds interval, Pass pass);
  ~RepeatingPass();  // stop()s
  RepeatingPass(const RepeatingPass&) = delete;
  RepeatingPass& operator=(const RepeatingPass&) = delete;

  void start();  // the first pass at once
  void stop();   // no pass starts after this

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::service
