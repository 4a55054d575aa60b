// What GET /healthz asks: does the store answer? A primary-key read through a reader connection
// and an empty write transaction through the single writer (the one every write waits behind:
// it needs the database's write lock), both within kStoreHealthDeadline. The probe runs on a
// thread of its own, one at a time, so a store that hangs holds no worker thread and piles up
// no probes: requests that arrive while one runs share its result.
#pragma once

#include "core/executor.hpp"
#include "store/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace omnigate::app {

// Below the 1 s a Kubernetes probe waits by default, so the prober reads the 503 and its reason.
inline constexpr std::chrono::milliseconds kStoreHealthDeadline{500};

class StoreHealth {
 public:
  // `problem` is nullopt when the store answered in time, else what went wrong.
  using Done = std::function<void(std::optional<std::string> problem)>;

  StoreHealth(store::Store& store, Executor& executor,
              std::chrono::milliseconds deadline = kStoreHealthDeadline);
  // Waits for a probe in flight to return (the store's own timeouts bound it).
  ~StoreHealth();
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // Calls `done` once, on some other thread: after the probe or at the deadline.
  void check(Done done);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::app
