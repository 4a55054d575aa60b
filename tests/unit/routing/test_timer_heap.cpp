// The engine's timer heap: timers come out earliest first, only once due, ties in push order.
#include <catch2/catch.hpp>

#include "timer_heap.hpp"

using namespace omnigate::routing;

TEST_CASE("a timer popped is the earliest due, whatever order they were pushed in") {
  TimerHeap timers;
  timers.push(3000, 3, TimerKind::resolution_breach, 0);
  timers.push(1000, 1, TimerKind::first_response_warning, 0);
  timers.push(2000, 2, TimerKind::first_response_breach, 0);
  std::vector<ConversationId> order;
  while (const auto t = timers.pop_due(5000)) order.push_back(t->conv);
  CHECK(order == std::vector<ConversationId>{1, 2, 3});
}

TEST_CASE("nothing pops before it is due") {
  TimerHeap timers;
  timers.push(2000, 7, TimerKind::escalation, 0);
  CHECK_FALSE(timers.pop_due(1999));
  const auto t = timers.pop_due(2000);
  REQUIRE(t);
  CHECK(t->conv == 7);
  CHECK_FALSE(timers.pop_due(10'000));  // popped once only
}

TEST_CASE("timers due at the same instant pop in the order they were pushed") {
  TimerHeap timers;
  timers.push(1000, 1, TimerKind::resolution_breach, 0);
  timers.push(1000, 2, TimerKind::first_response_breach, 0);
  timers.push(1000, 3, TimerKind::escalation, 0);
  CHECK(timers.pop_due(1000)->conv == 1);
  CHECK(timers.pop_due(1000)->conv == 2);
  CHECK(timers.pop_due(1000)->conv == 3);
}

TEST_CASE("next_due names the earliest timer without removing it") {
  TimerHeap timers;
  CHECK_FALSE(timers.next_due());
  timers.push(5000, 1, TimerKind::progress_reminder, 0);
  timers.push(4000, 2, TimerKind::reservation_expired, 0);
  CHECK(timers.next_due() == UnixMs{4000});
  CHECK(timers.next_due() == UnixMs{4000});
  timers.pop_due(4000);
  CHECK(timers.next_due() == UnixMs{5000});
}

TEST_CASE("a popped timer carries what it was pushed with") {
  TimerHeap timers;
  timers.push(9000, 42, TimerKind::progress_reminder, 3, UnixMs{6000});
  timers.push(9500, 43, TimerKind::first_response_breach, 4);
  const auto late = timers.pop_due(10'000);
  REQUIRE(late);
  CHECK(late->kind == TimerKind::progress_reminder);
  CHECK(late->gen == 3);
  CHECK(late->deadline == 6000);  // the slot it stands for, not the late instant it fires at
  const auto on_time = timers.pop_due(10'000);
  REQUIRE(on_time);
  CHECK(on_time->deadline == 9500);  // no deadline given: the instant it is due
}
