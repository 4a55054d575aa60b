#include "customers/valuation_run.hpp"

#include "core/log.hpp"
#include "customers/customer_valuation.hpp"
#include "store/committed.hpp"

#include <future>

namespace omnigate::customers {

namespace {

constexpr const char* kComponent = "valuation";
constexpr int kPageSize = 500;  // customers read (and their changes written) per batch

}  // namespace

ValuationOutcome run_valuation(store::Store& store, const config::CustomerValuation& valuation,
                               const std::string& trigger, const std::string& actor,
                               const std::function<store::UnixMs()>& clock) {
  ValuationOutcome out;
  out.run.started_at = clock();
  out.run.trigger = trigger;
  out.run.actor = actor;
  store::Id after = 0;
  for (;;) {
    const auto page = store.customers_after(after, kPageSize);
    if (page.empty()) break;
    after = page.back().id;
    // The page's writes are queued together so the store commits them in one group.
    std::vector<std::future<store::Outcome<store::CustomerChange>>> pending;
    for (const auto& customer : page) {
      ++out.run.valued;
      const Valuation v = value_customer(valuation, customer);
      if (customer.tier_source == store::TierSource::manual && customer.tier != v.tier)
        ++out.run.kept_manual;
      auto update = valuation_update(customer, v);
      if (!update) continue;
      update->actor = actor;
      auto promise = std::make_shared<std::promise<store::Outcome<store::CustomerChange>>>();
      pending.push_back(promise->get_future());
      store.update_customer(std::move(*update), [promise](store::Outcome<store::CustomerChange> r) {
        promise->set_value(std::move(r));
      });
    }
    for (auto& f : pending) {
      auto r = f.get();
      if (!r.ok) throw std::runtime_error("cannot write a valued tier: " + r.error);
      if (r.value.after.tier != r.value.before.tier) {
        ++out.run.changed;
        out.changes.push_back(std::move(r.value));
      }
    }
  }
  out.run.finished_at = clock();
  const auto recorded = store::committed<store::Id>(
      [&](auto done) { store.record_valuation_run(out.run, std::move(done)); });
  if (!recorded.ok) throw std::runtime_error("cannot record the valuation run: " + recorded.error);
  return out;
}

ValuationScheduler::ValuationScheduler(store::Store& store, config::CustomerValuation valuation,
                                       OnChange on_change, Clock clock)
    : store_(store),
      valuation_(std::move(valuation)),
      on_change_(std::move(on_change)),
      clock_(std::move(clock)) {}

ValuationScheduler::~ValuationScheduler() {
  stop();
}

void ValuationScheduler::start() {
  if (auto last = store_.last_valuation_run()) last_started_ = last->started_at;
  thread_ = std::thread([this] { loop(); });
}

void ValuationScheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ValuationScheduler::run_now(std::string trigger, std::string actor, Done done) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back({std::move(trigger), std::move(actor), std::move(done)});
  }
  wake_.notify_all();
}

void ValuationScheduler::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!requests_.empty()) {
      Request r = std::move(requests_.front());
      requests_.pop_front();
      lock.unlock();
      run(r.trigger, r.actor, r.done);
      lock.lock();
      continue;
    }
    const auto period = period_start(valuation_.schedule, clock_());
    if (period && (!last_started_ || *last_started_ < *period)) {
      lock.unlock();
      run("schedule", "valuation", nullptr);
      lock.lock();
      continue;
    }
    wake_.wait_for(lock, std::chrono::seconds(1));
  }
  // Asked for and never run: answered, so no request waits forever.
  for (auto& r : requests_)
    if (r.done) r.done({false, "the gateway is stopping", {}});
  requests_.clear();
}

void ValuationScheduler::run(const std::string& trigger, const std::string& actor,
                             const Done& done) {
  {
    std::lock_guard lock(mu_);
    last_started_ = clock_();  // a failing run is not retried every second; the next period tries
  }
  store::Outcome<ValuationOutcome> result;
  try {
    result.value = run_valuation(store_, valuation_, trigger, actor, clock_);
    result.ok = true;
    for (const auto& change : result.value.changes) on_change_(change);
    log(LogLevel::info, kComponent,
        "tier recomputation (" + trigger + "): " + std::to_string(result.value.run.valued) +
            " customer(s) valued, " + std::to_string(result.value.run.changed) + " changed, " +
            std::to_string(result.value.run.kept_manual) + " kept a tier a person set");
  } catch (const std::exception& e) {
    result.error = e.what();
    log(LogLevel::error, kComponent, "tier recomputation failed: " + result.error);
  }
  if (done) done(std::move(result));
}

}  // namespace omnigate::customers
