#include "api/login_throttle.hpp"

#include <iterator>

namespace omnigate::api {

namespace {

// Addresses are swept of stale entries once this many are held, so a scan from many addresses
// cannot grow the map without bound.
constexpr std::size_t kSweepAbove = 4096;

}  // namespace

LoginThrottle::LoginThrottle(int max_failures, std::int64_t window_ms)
    : max_failures_(static_cast<std::size_t>(max_failures)), window_ms_(window_ms) {}

void LoginThrottle::forget_before(std::deque<store::UnixMs>& failures, store::UnixMs now) const {
  while (!failures.empty() && failures.front() <= now - window_ms_) failures.pop_front();
}

std::optional<store::UnixMs> LoginThrottle::blocked_until(const std::string& address,
                                                          store::UnixMs now) {
  std::lock_guard lock(mu_);
  const auto it = failures_.find(address);
  if (it == failures_.end()) return std::nullopt;
  forget_before(it->second, now);
  if (it->second.size() < max_failures_) return std::nullopt;
  // The address is let in again once enough of its failures have aged out of the window.
  return it->second[it->second.size() - max_failures_] + window_ms_;
}

void LoginThrottle::record_failure(const std::string& address, store::UnixMs now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kSweepAbove) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      forget_before(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& failures = failures_[address];
  forget_before(failures, now);
  failures.push_back(now);
}

}  // namespace omnigate::api
