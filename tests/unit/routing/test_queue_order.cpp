// Queue order: priority, then tier, then SLA deadline, then arrival; ageing lifts old work.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

TEST_CASE("higher priority is served first even if it arrived later") {
  Engine e(plain_policy());
  REQUIRE(e.enqueue(conv(1, 4, Tier::A, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(2, 1, Tier::C, kMonday + 1000), kMonday + 1000));
  add_online(e, single_slot("ann"), kMonday + 2000);
  CHECK(drain_order(e, "ann", kMonday + 2000) == std::vector<ConversationId>{2, 1});
}

TEST_CASE("within a priority, the better customer tier is served first") {
  Engine e(plain_policy());
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::B, kMonday + 1), kMonday + 1));
  REQUIRE(e.enqueue(conv(3, 3, Tier::S, kMonday + 2), kMonday + 2));
  REQUIRE(e.enqueue(conv(4, 3, Tier::A, kMonday + 3), kMonday + 3));
  add_online(e, single_slot("ann"), kMonday + 10);
  CHECK(drain_order(e, "ann", kMonday + 10) == std::vector<ConversationId>{3, 4, 2, 1});
}

TEST_CASE("within priority and tier, the earlier SLA deadline goes first") {
  // Same P2/A, but 2 belongs to a dedicated group: its first response is due in 15 min, not 30.
  Policy p = plain_policy();
  p.tiers[static_cast<int>(Tier::A)].dedicated_group = true;
  Engine e(p);
  auto later = conv(2, 2, Tier::A, kMonday + kMinuteMs);
  later.account_team = "gold";  // nobody online there and no reserved wait: pool at once
  REQUIRE(e.enqueue(conv(1, 2, Tier::A, kMonday), kMonday));
  REQUIRE(e.enqueue(later, kMonday + kMinuteMs));
  CHECK(e.sla_deadlines(2)->first_response_due < e.sla_deadlines(1)->first_response_due);
  add_online(e, single_slot("ann"), kMonday + 2 * kMinuteMs);
  CHECK(drain_order(e, "ann", kMonday + 2 * kMinuteMs) == std::vector<ConversationId>{2, 1});
}

TEST_CASE("with everything else equal, first come first served") {
  Engine e(plain_policy());
  for (ConversationId id : {5, 3, 9})
    REQUIRE(e.enqueue(conv(id, 3, Tier::B, kMonday + id), kMonday + id));
  add_online(e, single_slot("ann"), kMonday + 100);
  CHECK(drain_order(e, "ann", kMonday + 100) == std::vector<ConversationId>{3, 5, 9});
}

TEST_CASE("ageing lifts a long-waiting C-tier P4 above fresh P1 work, so no tier starves") {
  const auto run = [](bool ageing) {
    Policy p = plain_policy();
    p.ageing.enabled = ageing;
    p.ageing.step_ms = 10 * kMinuteMs;
    Engine e(p);
    REQUIRE(e.enqueue(conv(1, 4, Tier::C, kMonday), kMonday));
    const UnixMs later = kMonday + 3 * kHourMs;  // 18 steps: 15 bands, the maximum
    REQUIRE(e.enqueue(conv(2, 1, Tier::C, later), later));
    add_online(e, single_slot("ann"), later);
    return drain_order(e, "ann", later);
  };
  CHECK(run(true) == std::vector<ConversationId>{1, 2});
  CHECK(run(false) == std::vector<ConversationId>{2, 1});
}
