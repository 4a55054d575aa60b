// Failed logins counted per client address ([auth] address_failures within
// address_window_minutes): past the limit every login from that address is refused with 429
// until its oldest counted failure leaves the window. The per-name lock-out (store) stops
// guessing one name's password; this stops one address trying many names. Kept in memory: a
// restart forgets it, which only gives an attacker one more window.
#pragma once

#include "store/model.hpp"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace omnigate::api {

class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_ms);

  // When `address` may try again; nullopt when it may now.
  std::optional<store::UnixMs> blocked_until(const std::string& address, store::UnixMs now);
  void record_failure(const std::string& address, store::UnixMs now);

 private:
  void forget_before(std::deque<store::UnixMs>& failures, store::UnixMs now) const;

  const std::size_t max_failures_;
  const std::int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<store::UnixMs>> failures_;  // oldest first
};

}  // namespace omnigate::api
