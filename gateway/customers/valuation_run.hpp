// One run of the value-based tier recomputation over every customer, and the schedule that
// starts one in each period (quarterly by default). Used by the gateway (schedule and
// POST /api/v1/admin/customers/valuation) and by `omnigate customers revalue`.
#pragma once

#include "config/config.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace omnigate::customers {

struct ValuationOutcome {
  store::ValuationRun run;
  std::vector<store::CustomerChange> changes;  // customers whose tier changed, in id order
};

// Values every customer and writes each changed tier (source "valuation", its reason with it),
// then records the run. Blocks until every write is committed, so call it from a thread of its
// own, never from a store completion. Throws std::runtime_error when a write fails.
ValuationOutcome run_valuation(store::Store& store, const config::CustomerValuation& valuation,
                               const std::string& trigger, const std::string& actor,
                               const std::function<store::UnixMs()>& clock);

// Runs the recomputation on a thread of its own: once per schedule period (at the first check
// in a period no run has started in yet; checked every second, so a gateway that was down at
// the turn of the quarter runs it when it starts) and whenever asked.
class ValuationScheduler {
 public:
  using Clock = std::function<store::UnixMs()>;
  using OnChange = std::function<void(const store::CustomerChange&)>;
  using Done = std::function<void(store::Outcome<ValuationOutcome>)>;

  // `on_change` is called (on the scheduler's thread) for every customer whose tier changed, so
  // routing can re-queue their conversations.
  ValuationScheduler(store::Store& store, config::CustomerValuation valuation, OnChange on_change,
                     Clock clock);
  ~ValuationScheduler();
  ValuationScheduler(const ValuationScheduler&) = delete;
  ValuationScheduler& operator=(const ValuationScheduler&) = delete;

  void start();
  void stop();
  // A run now, after any run in progress; `done` is called on the scheduler's thread.
  void run_now(std::string trigger, std::string actor, Done done);

 private:
  struct Request {
    std::string trigger, actor;
    Done done;
  };
  void loop();
  void run(const std::string& trigger, const std::string& actor, const Done& done);

  store::Store& store_;
  const config::CustomerValuation valuation_;
  const OnChange on_change_;
  const Clock clock_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request> requests_;
  bool stopping_ = false;
  std::optional<store::UnixMs> last_started_;  // newest run's start (this process or stored)
  std::thread thread_;
};

}  // namespace omnigate::customers
