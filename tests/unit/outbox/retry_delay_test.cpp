#include "outbox/retry_delay.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;

TEST_CASE("backoff doubles per attempt up to the cap, with at most half taken off by jitter",
          "[outbox]") {
  config::OutboxConfig o;
  o.initial_backoff_ms = 1000;
  o.max_backoff_ms = 5000;
  CHECK(retry_delay(o, 1, 0, 1.0).count() == 1000);
  CHECK(retry_delay(o, 2, 0, 1.0).count() == 2000);
  CHECK(retry_delay(o, 3, 0, 1.0).count() == 4000);
  CHECK(retry_delay(o, 4, 0, 1.0).count() == 5000);
  CHECK(retry_delay(o, 1000, 0, 1.0).count() == 5000);  // no overflow for huge attempt counts
  CHECK(retry_delay(o, 2, 0, 0.0).count() == 1000);     // jitter never drops below half
}

TEST_CASE("the provider's Retry-After wins over the backoff", "[outbox]") {
  config::OutboxConfig o;
  CHECK(retry_delay(o, 1, 30000, 0.3).count() == 30000);
}
