// The expected wait channel plugins are told while a customer queues: the queue's recent pace
// times the customer's place, and no promise without a recent pace.
#include "dispatch/queue_wait_estimate.hpp"

#include <catch2/catch.hpp>

using omnigate::dispatch::QueueWaitEstimate;

TEST_CASE("without two recent departures there is no expected wait") {
  QueueWaitEstimate estimate;
  CHECK(estimate.expected_wait_ms(1, 0) == -1);
  estimate.departed(1000);
  CHECK(estimate.expected_wait_ms(1, 1000) == -1);
}

TEST_CASE("the expected wait is the mean interval between departures times the place") {
  QueueWaitEstimate estimate;
  for (std::int64_t at : {0, 30000, 60000, 90000}) estimate.departed(at);  // one every 30 s
  CHECK(estimate.expected_wait_ms(1, 90000) == 30000);
  CHECK(estimate.expected_wait_ms(3, 90000) == 90000);
  CHECK(estimate.expected_wait_ms(0, 90000) == -1);  // not waiting
}

TEST_CASE("only the last departures set the pace, and a stalled queue has none") {
  QueueWaitEstimate estimate(3, 60000);
  for (std::int64_t at : {0, 1000, 2000}) estimate.departed(at);        // a burst, one a second
  for (std::int64_t at : {12000, 22000, 32000}) estimate.departed(at);  // then one per 10 s
  CHECK(estimate.expected_wait_ms(2, 32000) == 20000);
  // Nobody has left the queue for longer than the window: no estimate rather than a stale one.
  CHECK(estimate.expected_wait_ms(2, 32000 + 60001 + 20000) == -1);
}

TEST_CASE("a burst of departures in one millisecond does not promise no wait") {
  QueueWaitEstimate estimate;
  for (int i = 0; i < 5; ++i) estimate.departed(5000);
  CHECK(estimate.expected_wait_ms(4, 5000) == 4);
}
