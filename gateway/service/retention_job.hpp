// [[retention]] applied by itself (docs/operations.md "Erasure, legal hold and retention"): once
// a day, and at start, the store empties the resolved conversations the rules say are old
// enough, passing customers under legal hold by; each run that removed anything is audited as
// retention.apply by "system", and each emptied conversation's chain records it.
#pragma once

#include "core/executor.hpp"
#include "service/repeating_pass.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace omnigate::service {

class RetentionJob {
 public:
  using Clock = std::function<store::UnixMs()>;
  RetentionJob(store::Store& store, Executor& executor, std::vector<store::RetentionRule> rules,
               Clock clock);
  ~RetentionJob();  // stops (the passes' member does)
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  void start();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
  RepeatingPass passes_;
};

}  // namespace omnigate::service
