#include "core/asio_executor.hpp"

#include "core/asio_executor_impl.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace omnigate {

namespace asio = boost::asio;

struct AsioExecutor::Impl {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      asio::make_work_guard(io)};
  std::vector<std::thread> workers;
  int thread_count = 1;
  std::mutex mu;  // guards workers (run/stop)
};

AsioExecutor::Impl& executor_impl(AsioExecutor& executor) {
  return *executor.impl_;
}

asio::io_context& io_context(AsioExecutor& executor) {
  return executor_impl(executor).io;
}

namespace {

// Pending timers live in a map shared with their handlers. Whoever removes the entry first
// wins: the handler (then it runs fn) or cancel() (then fn never runs) — so cancel() returning
// true guarantees fn will not run, even if the timer had already expired.
class AsioStrand final : public Strand {
 public:
  explicit AsioStrand(asio::io_context& io) : strand_(asio::make_strand(io)) {}

  void post(std::function<void()> fn) override { asio::post(strand_, std::move(fn)); }
  void dispatch(std::function<void()> fn) override { asio::dispatch(strand_, std::move(fn)); }

  std::uint64_t post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto timer = std::make_shared<asio::steady_timer>(strand_, delay);
    std::uint64_t id;
    {
      std::lock_guard lock(timers_->mu);
      id = ++timers_->next_id;
      timers_->pending.emplace(id, timer);
    }
    timer->async_wait([timers = timers_, id, fn = std::move(fn)](const boost::system::error_code&) {
      {
        std::lock_guard lock(timers->mu);
        if (timers->pending.erase(id) == 0) return;  // cancelled
      }
      fn();
    });
    return id;
  }

  bool cancel(std::uint64_t timer_id) override {
    std::shared_ptr<asio::steady_timer> timer;
    {
      std::lock_guard lock(timers_->mu);
      auto it = timers_->pending.find(timer_id);
      if (it == timers_->pending.end()) return false;
      timer = std::move(it->second);
      timers_->pending.erase(it);
    }
    // Wakes the handler early (it finds its entry gone and returns). steady_timer::cancel is
    // not thread-safe against the handler's strand, so do it on the strand.
    asio::post(strand_, [timer] { timer->cancel(); });
    return true;
  }

 private:
  struct Timers {
    std::mutex mu;
    std::uint64_t next_id = 0;
    std::unordered_map<std::uint64_t, std::shared_ptr<asio::steady_timer>> pending;
  };
  asio::strand<asio::io_context::executor_type> strand_;
  std::shared_ptr<Timers> timers_ = std::make_shared<Timers>();
};

}  // namespace

AsioExecutor::AsioExecutor(int threads) : impl_(std::make_unique<Impl>()) {
  impl_->thread_count = threads < 1 ? 1 : threads;
}

AsioExecutor::~AsioExecutor() {
  stop();
}

std::shared_ptr<Strand> AsioExecutor::make_strand() {
  return std::make_shared<AsioStrand>(impl_->io);
}

void AsioExecutor::post(std::function<void()> fn) {
  asio::post(impl_->io, std::move(fn));
}

void AsioExecutor::run() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->workers.empty()) return;
  for (int i = 0; i < impl_->thread_count; ++i) {
    impl_->workers.emplace_back([this] { impl_->io.run(); });
  }
}

void AsioExecutor::stop() {
  std::lock_guard lock(impl_->mu);
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->workers) {
    if (t.joinable()) t.join();
  }
  impl_->workers.clear();
}

std::unique_ptr<AsioExecutor> make_asio_executor(int threads) {
  return std::make_unique<AsioExecutor>(threads);
}

}  // namespace omnigate
