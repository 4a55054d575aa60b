// VisitorConnections: connections per client address, each connection's frame budget (a token
// bucket), the connections that never said hello, and which connections are a session's tabs.
#include "visitor_connections.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <vector>

using omnigate::webchat::VisitorConnections;
using Conns = std::set<std::uint64_t>;

TEST_CASE("connections are counted per address and forgotten on close") {
  VisitorConnections conns(5, 20);
  CHECK(conns.open(1, "10.0.0.1", 0) == 1);
  CHECK(conns.open(2, "10.0.0.1", 0) == 2);
  CHECK(conns.open(3, "10.0.0.2", 0) == 1);
  CHECK(conns.open(4, "10.0.0.1", 0) == 3);
  CHECK(conns.size() == 4);
  CHECK(conns.known(2));

  CHECK(conns.close(2).empty());  // never said hello
  CHECK_FALSE(conns.known(2));
  CHECK(conns.open(5, "10.0.0.1", 0) == 3);
  conns.close(1);
  conns.close(4);
  conns.close(5);
  CHECK(conns.open(6, "10.0.0.1", 0) == 1);  // the address holds none any more
  CHECK(conns.size() == 2);

  CHECK(conns.close(99).empty());  // unknown: nothing happens
  CHECK(conns.close(6).empty());   // closed twice: the second is a no-op
  CHECK(conns.close(6).empty());
  CHECK(conns.open(7, "10.0.0.1", 0) == 1);
}

TEST_CASE("a session's tabs: joined on hello, left on close") {
  VisitorConnections conns(5, 20);
  conns.open(1, "10.0.0.1", 0);
  conns.open(2, "10.0.0.2", 0);
  conns.open(3, "10.0.0.1", 0);
  CHECK(conns.session_of(1).empty());
  CHECK(conns.of_session("s1").empty());

  conns.join(1, "s1");
  conns.join(2, "s1");
  conns.join(3, "s2");
  conns.join(42, "s1");  // an unknown connection joins nothing
  CHECK(conns.session_of(1) == "s1");
  CHECK(conns.session_of(3) == "s2");
  CHECK(conns.session_of(42).empty());
  CHECK(conns.of_session("s1") == Conns{1, 2});
  CHECK(conns.of_session("s2") == Conns{3});

  CHECK(conns.close(1) == "s1");
  CHECK(conns.of_session("s1") == Conns{2});
  CHECK(conns.session_of(1).empty());
  CHECK(conns.close(2) == "s1");
  CHECK(conns.of_session("s1").empty());
  CHECK(conns.of_session("s2") == Conns{3});
}

TEST_CASE("the frame budget: burst at once, then rate a second, never above burst") {
  VisitorConnections conns(/*rate=*/2, /*burst=*/3);
  conns.open(1, "10.0.0.1", 1000);
  conns.open(2, "10.0.0.1", 1000);
  for (int i = 0; i < 3; ++i) CHECK(conns.take(1, 1000));
  CHECK_FALSE(conns.take(1, 1000));  // a flood
  CHECK(conns.take(2, 1000));        // each connection has its own budget

  CHECK_FALSE(conns.take(1, 1400));  // 0.8 of a frame earned
  CHECK(conns.take(1, 1500));        // 1.0: one more
  CHECK_FALSE(conns.take(1, 1500));
  CHECK(conns.take(1, 2000));

  // A long quiet spell refills to burst, not beyond.
  for (int i = 0; i < 3; ++i) CHECK(conns.take(1, 60000));
  CHECK_FALSE(conns.take(1, 60000));

  CHECK_FALSE(conns.take(99, 1000));  // unknown connection
  conns.close(2);
  CHECK_FALSE(conns.take(2, 90000));
}

TEST_CASE("a sustained rate just within the limit is never refused") {
  VisitorConnections conns(/*rate=*/5, /*burst=*/1);
  conns.open(1, "10.0.0.1", 0);
  for (std::int64_t t = 0; t < 10000; t += 200) CHECK(conns.take(1, t));
  CHECK_FALSE(conns.take(1, 10000 - 200 + 100));
}

TEST_CASE("silent_since lists the connections that have not said hello in time") {
  VisitorConnections conns(5, 20);
  conns.open(1, "10.0.0.1", 100);
  conns.open(2, "10.0.0.1", 200);
  conns.open(3, "10.0.0.1", 300);
  CHECK(conns.silent_since(100).empty());  // opened at the cutoff: still has time
  CHECK(conns.silent_since(101) == std::vector<std::uint64_t>{1});
  CHECK(conns.silent_since(1000) == std::vector<std::uint64_t>{1, 2, 3});
  conns.join(2, "s");
  conns.close(3);
  CHECK(conns.silent_since(1000) == std::vector<std::uint64_t>{1});
}
