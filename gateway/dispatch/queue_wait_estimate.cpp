#include "dispatch/queue_wait_estimate.hpp"

#include <algorithm>

namespace omnigate::dispatch {

void QueueWaitEstimate::departed(std::int64_t at_ms) {
  departures_.push_back(at_ms);
  while (departures_.size() > samples_) departures_.pop_front();
}

std::int64_t QueueWaitEstimate::expected_wait_ms(int position, std::int64_t now_ms) {
  const std::int64_t interval = pace_ms(now_ms);
  if (position < 1 || interval < 0) return -1;
  return interval * position;
}

std::int64_t QueueWaitEstimate::pace_ms(std::int64_t now_ms) {
  forget_before(now_ms - window_ms_);
  if (departures_.size() < 2) return -1;
  // n departures span n - 1 intervals; at least 1 ms each, so a burst does not promise 0.
  const auto intervals = static_cast<std::int64_t>(departures_.size() - 1);
  return std::max<std::int64_t>(1, (departures_.back() - departures_.front()) / intervals);
}

void QueueWaitEstimate::forget_before(std::int64_t oldest_ms) {
  while (!departures_.empty() && departures_.front() < oldest_ms) departures_.pop_front();
}

}  // namespace omnigate::dispatch
