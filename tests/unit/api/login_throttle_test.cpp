#include "api/login_throttle.hpp"

#include <catch2/catch.hpp>

using omnigate::api::LoginThrottle;

namespace {
constexpr std::int64_t kWindowMs = 60'000;
}

TEST_CASE("an address is throttled at its failure limit, other addresses are not") {
  LoginThrottle throttle(3, kWindowMs);
  throttle.record_failure("10.0.0.1", 1'000);
  throttle.record_failure("10.0.0.1", 2'000);
  CHECK_FALSE(throttle.blocked_until("10.0.0.1", 2'500));
  throttle.record_failure("10.0.0.1", 3'000);
  const auto until = throttle.blocked_until("10.0.0.1", 3'500);
  REQUIRE(until);
  // Let in once the oldest of the three counted failures has left the window.
  CHECK(*until == 1'000 + kWindowMs);
  CHECK_FALSE(throttle.blocked_until("10.0.0.2", 3'500));
}

TEST_CASE("failures older than the window no longer count") {
  LoginThrottle throttle(2, kWindowMs);
  throttle.record_failure("10.0.0.1", 0);
  throttle.record_failure("10.0.0.1", 10'000);
  REQUIRE(throttle.blocked_until("10.0.0.1", 59'999));
  CHECK_FALSE(throttle.blocked_until("10.0.0.1", kWindowMs));
  throttle.record_failure("10.0.0.1", kWindowMs + 1);
  // 10 000 and 60 001 are both in the window at 65 000: throttled until 10 000 ages out.
  CHECK(throttle.blocked_until("10.0.0.1", 65'000) == 10'000 + kWindowMs);
}
