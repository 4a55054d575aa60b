// Threads, strands and timers without Asio in the header: the plugin host, the outbox sender
// and the routing dispatcher depend on this interface; og_runtime implements it over one
// boost::asio::io_context (gateway/core/asio_executor.cpp), tests may use their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace omnigate {

// A serial queue: handlers posted to one strand never run concurrently with each other.
class Strand {
 public:
  virtual ~Strand() = default;
  virtual void post(std::function<void()> fn) = 0;
  // Like post, but when the caller is one of the executor's worker threads and nothing runs on
  // this strand, fn runs right away on the calling thread (no queueing, no thread hand-off).
  // Only for callers that can never already be inside this strand's handlers, since fn would
  // then run nested in them.
  virtual void dispatch(std::function<void()> fn) { post(std::move(fn)); }
  // Run fn on this strand after `delay`. Returns a timer id for cancel().
  virtual std::uint64_t post_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // Cancel a pending timer; returns false if it already ran, was cancelled or is unknown.
  virtual bool cancel(std::uint64_t timer_id) = 0;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::shared_ptr<Strand> make_strand() = 0;
  // Run fn on some worker thread.
  virtual void post(std::function<void()> fn) = 0;
};

}  // namespace omnigate
