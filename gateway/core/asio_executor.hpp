// The production Executor: one boost::asio::io_context served by N worker threads. Strands are
// Asio strands; timers are steady_timers. Asio itself stays in asio_executor.cpp so that code
// including this header does not pay for it (see asio_executor_impl.hpp for the server's access).
#pragma once

#include "core/executor.hpp"

#include <memory>

namespace omnigate {

class AsioExecutor final : public Executor {
 public:
  explicit AsioExecutor(int threads);
  ~AsioExecutor() override;  // stop()s
  AsioExecutor(const AsioExecutor&) = delete;
  AsioExecutor& operator=(const AsioExecutor&) = delete;

  std::shared_ptr<Strand> make_strand() override;
  void post(std::function<void()> fn) override;

  // Start the worker threads (returns at once). Work posted before run() waits for it.
  void run();
  // Stop the io_context and join the workers; handlers still queued are dropped. Idempotent.
  // Must not be called from a worker thread.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend Impl& executor_impl(AsioExecutor&);
};

// `threads` < 1 is treated as 1.
std::unique_ptr<AsioExecutor> make_asio_executor(int threads);

}  // namespace omnigate
