// How long a waiting customer can expect to wait, for the queue notices channel plugins get
// (og_conversation_state.expected_wait_ms): the queue's recent pace — the mean interval between
// the last few conversations that left it for an agent — times the customer's place in it.
// Nothing is promised without a recent pace: two departures within the window are needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace omnigate::dispatch {

class QueueWaitEstimate {
 public:
  // `samples`: how many recent departures set the pace; `window_ms`: older ones no longer count
  // (a queue that stopped moving has no pace).
  explicit QueueWaitEstimate(std::size_t samples = 20, std::int64_t window_ms = 10 * 60 * 1000)
      : samples_(samples), window_ms_(window_ms) {}

  // A conversation left the queue for an agent at `at_ms` (a monotonic clock).
  void departed(std::int64_t at_ms);
  // Expected wait of the customer at 1-based `position` at `now_ms`; -1 when unknown.
  std::int64_t expected_wait_ms(int position, std::int64_t now_ms);
  // The recent mean interval between departures at `now_ms` (at least 1); -1 when unknown.
  std::int64_t pace_ms(std::int64_t now_ms);

 private:
  void forget_before(std::int64_t oldest_ms);

  std::size_t samples_;
  std::int64_t window_ms_;
  std::deque<std::int64_t> departures_;  // oldest first
};

}  // namespace omnigate::dispatch
