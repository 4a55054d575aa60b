#include "app/store_health.hpp"

#include "core/log.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace omnigate::app {

struct StoreHealth::State {
  store::Store& store;
  std::shared_ptr<Strand> timers;
  std::chrono::milliseconds deadline;

  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  bool probing = false;  // requested or running: later waiters share its result
  std::uint64_t next_waiter = 0;
  std::map<std::uint64_t, Done> waiters;  // answered when the probe returns, or at the deadline
  std::thread prober;

  State(store::Store& s, Executor& e, std::chrono::milliseconds d)
      : store(s), timers(e.make_strand()), deadline(d) {}

  std::string late() const {
    return "the store did not answer within " + std::to_string(deadline.count()) + " ms";
  }

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [this] { return stopping || probing; });
      if (stopping) return;
      lock.unlock();
      const auto problem = probe();
      lock.lock();
      auto answered = std::move(waiters);
      waiters.clear();
      probing = false;
      lock.unlock();
      for (auto& [id, done] : answered) done(problem);
      lock.lock();
    }
  }

  std::optional<std::string> probe() {
    const auto start = std::chrono::steady_clock::now();
    try {
      // No user has an empty name: the read finds nothing, but it reads the database.
      store.get_user("");
      store.flush();
    } catch (const std::exception& e) {
      // The details (SQLite's message, the file's path) are for the operator, not for whoever
      // may call /healthz.
      log(LogLevel::warn, "healthz", std::string("store probe failed: ") + e.what());
      return std::string("the store failed a read (details in the gateway's log)");
    }
    if (std::chrono::steady_clock::now() - start > deadline) return late();
    return std::nullopt;
  }
};

StoreHealth::StoreHealth(store::Store& store, Executor& executor,
                         std::chrono::milliseconds deadline)
    : state_(std::make_shared<State>(store, executor, deadline)) {
  state_->prober = std::thread([state = state_.get()] { state->run(); });
}

StoreHealth::~StoreHealth() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_one();
  state_->prober.join();
}

void StoreHealth::check(Done done) {
  std::uint64_t id = 0;
  bool joined = false;  // a probe is already on its way
  {
    std::lock_guard lock(state_->mu);
    id = state_->next_waiter++;
    state_->waiters.emplace(id, std::move(done));
    if (state_->probing) joined = true;
    state_->probing = true;
  }
  if (!joined) state_->wake.notify_one();
  state_->timers->post_after(state_->deadline, [weak = std::weak_ptr<State>(state_), id] {
    auto state = weak.lock();
    if (!state) return;
    Done late;
    {
      std::lock_guard lock(state->mu);
      const auto it = state->waiters.find(id);
      if (it == state->waiters.end()) return;  // the probe answered it
      late = std::move(it->second);
      state->waiters.erase(it);
    }
    late(state->late());
  });
}

}  // namespace omnigate::app
