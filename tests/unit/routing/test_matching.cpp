// Who may take a conversation (skills, tiers, teams, capacity, presence) and who is chosen.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace routing_test;

namespace {
ConversationSpec needing(ConversationId id, std::vector<SkillRequirement> skills,
                         UnixMs at = kMonday, ChannelKind ch = ChannelKind::email) {
  auto c = conv(id, 3, Tier::C, at, ch);
  c.skills = std::move(skills);
  return c;
}
}  // namespace

TEST_CASE("an agent needs every required skill at the required proficiency") {
  Engine e(plain_policy());
  add_online(e, agent("novice", {{"billing", 2}, {"french", 5}}), kMonday);
  add_online(e, agent("only_billing", {{"billing", 5}}), kMonday);
  add_online(e, agent("expert", {{"billing", 4}, {"french", 3}}), kMonday);
  REQUIRE(e.enqueue(needing(1, {{"billing", 3}, {"french", 3}}), kMonday));
  const auto d = e.dispatch(kMonday);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "expert");
}

TEST_CASE("bullseye: the required proficiency drops after the configured waits") {
  Policy p = plain_policy();
  p.bullseye = {{60 * kSecondMs, 1}, {120 * kSecondMs, 2}};
  Engine e(p);
  add_online(e, agent("level1", {{"billing", 1}}), kMonday);
  REQUIRE(e.enqueue(needing(1, {{"billing", 3}}), kMonday));
  CHECK(e.dispatch(kMonday).empty());
  CHECK(e.dispatch(kMonday + 61 * kSecondMs).empty());  // 3 - 1 = 2 > 1
  const auto d = e.dispatch(kMonday + 121 * kSecondMs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "level1");
  CHECK_THAT(d[0].reason, Catch::Contains("bullseye"));
}

TEST_CASE("overflow: after the configured wait another team may take the conversation") {
  Policy p = plain_policy();
  p.teams["support"] = TeamPolicy{{"sales"}, 5 * kMinuteMs};
  Engine e(p);
  add_online(e, agent("sam", {}, "sales"), kMonday);
  auto c = needing(1, {});
  c.team = "support";
  REQUIRE(e.enqueue(c, kMonday));
  CHECK(e.dispatch(kMonday + 4 * kMinuteMs).empty());
  const auto d = e.dispatch(kMonday + 5 * kMinuteMs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "sam");
  CHECK_THAT(d[0].reason, Catch::Contains("overflow team sales"));
}

TEST_CASE("A-tier goes first to its dedicated group, which alone may take it for a while") {
  Policy p = plain_policy();
  p.tiers[static_cast<int>(Tier::A)] = TierPolicy{"24x7", true, false, 2 * kMinuteMs};
  Engine e(p);
  add_online(e, agent("pool"), kMonday);
  auto busy_member = agent("gold1", {}, "gold");
  add_online(e, busy_member, kMonday);
  auto c = conv(1, 3, Tier::A, kMonday);
  c.account_team = "gold";
  // Make the group member more occupied than the pool agent: it must still win.
  REQUIRE(e.enqueue(conv(99, 4, Tier::C, kMonday), kMonday));
  REQUIRE(e.transfer_to_agent(99, "gold1", kMonday));
  REQUIRE(e.enqueue(c, kMonday));
  auto d = e.dispatch(kMonday);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "gold1");
  CHECK_THAT(d[0].reason, Catch::Contains("dedicated group gold"));

  // With the group offline, the conversation waits for the reserved time, then goes to the pool.
  auto c2 = conv(2, 3, Tier::A, kMonday);
  c2.account_team = "gold";
  REQUIRE(e.set_presence("gold1", Presence::away, kMonday));
  REQUIRE(e.enqueue(c2, kMonday));
  CHECK(e.dispatch(kMonday + kMinuteMs).empty());
  CHECK_THAT(e.explain(2), Catch::Contains("reserved for the customer's dedicated group"));
  d = e.dispatch(kMonday + 2 * kMinuteMs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "pool");
}

TEST_CASE("B-tier goes to its named manager when available, else to the pool at once") {
  Policy p = plain_policy();
  p.tiers[static_cast<int>(Tier::B)] = TierPolicy{"24x7", false, true, 0};
  Engine e(p);
  add_online(e, agent("pool"), kMonday);
  REQUIRE(e.upsert_agent(agent("mgr"), kMonday));
  auto c = conv(1, 3, Tier::B, kMonday);
  c.account_manager = "mgr";
  REQUIRE(e.set_presence("mgr", Presence::online, kMonday));
  REQUIRE(e.enqueue(conv(50, 4, Tier::C, kMonday), kMonday));
  REQUIRE(e.transfer_to_agent(50, "mgr", kMonday));  // mgr more occupied than pool
  REQUIRE(e.enqueue(c, kMonday));
  auto d = e.dispatch(kMonday);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "mgr");
  CHECK_THAT(d[0].reason, Catch::Contains("named account manager"));

  auto c2 = conv(2, 3, Tier::B, kMonday);
  c2.account_manager = "mgr";
  REQUIRE(e.set_presence("mgr", Presence::offline, kMonday));
  REQUIRE(e.enqueue(c2, kMonday));
  d = e.dispatch(kMonday);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "pool");
}

TEST_CASE("agents serve only their tiers and C-tier goes to the pool") {
  Engine e(plain_policy());
  auto key_accounts = agent("ka");
  key_accounts.tiers_served = {Tier::S, Tier::A};
  add_online(e, key_accounts, kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  CHECK(e.dispatch(kMonday).empty());
  add_online(e, agent("pool"), kMonday);
  const auto d = e.dispatch(kMonday);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "pool");
}

TEST_CASE("capacity per channel kind and the global cap are never exceeded") {
  Policy p = plain_policy();
  p.capacity.per_kind = {{ChannelKind::sms, 5},
                         {ChannelKind::email, 8},
                         {ChannelKind::webchat, 3},
                         {ChannelKind::voice, 1}};
  p.capacity.total = 4;
  Engine e(p);
  add_online(e, agent("ann"), kMonday);
  for (ConversationId id = 1; id <= 5; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday + id, ChannelKind::webchat), kMonday + id));
  CHECK(e.dispatch(kMonday + 10).size() == 3);  // 3 chats
  for (ConversationId id = 6; id <= 9; ++id)
    REQUIRE(e.enqueue(conv(id, 3, Tier::C, kMonday + id, ChannelKind::email), kMonday + id));
  CHECK(e.dispatch(kMonday + 20).size() == 1);  // global cap 4
  CHECK(e.agent("ann")->total_load == 4);
}

TEST_CASE("an agent on a voice call gets no new chats when the policy says so") {
  const auto chats_offered = [](bool blocks) {
    Policy p = plain_policy();
    p.voice_blocks_chat = blocks;
    Engine e(p);
    add_online(e, agent("ann"), kMonday);
    REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
    REQUIRE(e.dispatch(kMonday).size() == 1);
    REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday, ChannelKind::webchat), kMonday));
    REQUIRE(e.enqueue(conv(3, 3, Tier::C, kMonday, ChannelKind::voice), kMonday));
    return e.dispatch(kMonday).size();
  };
  CHECK(chats_offered(true) == 0);
  CHECK(chats_offered(false) == 1);  // the second call never fits: 1 voice
}

TEST_CASE("busy and away agents get nothing new, offline re-queues live work at its position") {
  Engine e(plain_policy());
  add_online(e, agent("ann"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday, ChannelKind::webchat), kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday + 1, ChannelKind::email), kMonday + 1));
  REQUIRE(e.dispatch(kMonday + 2).size() == 2);
  for (const auto away : {Presence::busy, Presence::away}) {
    REQUIRE(e.set_presence("ann", away, kMonday + 3));
    REQUIRE(e.enqueue(conv(10 + static_cast<int>(away), 3, Tier::C, kMonday + 3), kMonday + 3));
    CHECK(e.dispatch(kMonday + 3).empty());
  }
  // A newer chat arrived meanwhile; the re-queued chat keeps its earlier place.
  REQUIRE(e.enqueue(conv(3, 3, Tier::C, kMonday + 5, ChannelKind::webchat), kMonday + 5));
  REQUIRE(e.set_presence("ann", Presence::offline, kMonday + 6));
  CHECK(e.conversation(1)->state == ConversationState::queued);
  CHECK(e.conversation(2)->agent == AgentId("ann"));  // e-mail does not need live handling
  CHECK_THAT(e.explain(1), Catch::Contains("went offline"));
  auto bob = agent("bob");
  bob.total_capacity = 1;
  add_online(e, bob, kMonday + 7);
  const auto d = e.dispatch(kMonday + 7);
  REQUIRE(d.size() == 1);
  CHECK(d[0].conversation == 1);
}

TEST_CASE("selection: least occupied, then longest idle") {
  Engine e(plain_policy());
  add_online(e, agent("early"), kMonday);
  add_online(e, agent("late"), kMonday + 1000);
  add_online(e, agent("loaded"), kMonday);
  REQUIRE(e.enqueue(conv(1, 3, Tier::C, kMonday), kMonday));
  REQUIRE(e.transfer_to_agent(1, "loaded", kMonday));
  REQUIRE(e.enqueue(conv(2, 3, Tier::C, kMonday), kMonday));
  auto d = e.dispatch(kMonday + 2000);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "early");  // idle longer than "late", less occupied than "loaded"
  REQUIRE(e.enqueue(conv(3, 3, Tier::C, kMonday), kMonday));
  d = e.dispatch(kMonday + 3000);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "late");
}

// The engine keeps a team's candidate list only once a conversation needs that team; a list
// built late must order the agents exactly as one kept all along.
TEST_CASE(
    "among equals, the agent available first is chosen, also for a team's first conversation") {
  for (const bool team_needed_before_login : {true, false}) {
    CAPTURE(team_needed_before_login);
    Engine e(plain_policy());
    REQUIRE(e.upsert_agent(agent("first", {}, "north"), kMonday));
    REQUIRE(e.upsert_agent(agent("second", {}, "north"), kMonday));
    auto c = conv(1, 3, Tier::C, kMonday);
    c.team = "north";
    if (team_needed_before_login) REQUIRE(e.enqueue(c, kMonday));
    REQUIRE(e.set_presence("second", Presence::online, kMonday));
    REQUIRE(e.set_presence("first", Presence::online, kMonday));
    if (!team_needed_before_login) REQUIRE(e.enqueue(c, kMonday));
    const auto d = e.dispatch(kMonday);
    REQUIRE(d.size() == 1);
    CHECK(d[0].agent == "second");  // same load, same idle time: online first, served first
  }
}

TEST_CASE("selection: longest idle, round robin and most skilled orders") {
  const auto first_two = [](Selection sel) {
    Policy p = plain_policy();
    p.selection = sel;
    Engine e(p);
    add_online(e, agent("a", {{"x", 2}}), kMonday);
    add_online(e, agent("b", {{"x", 5}}), kMonday + 10);
    std::vector<AgentId> who;
    for (ConversationId id = 1; id <= 2; ++id) {
      auto c = conv(id, 3, Tier::C, kMonday);
      c.skills = {{"x", 1}};
      REQUIRE(e.enqueue(c, kMonday + 100 * id));
      const auto d = e.dispatch(kMonday + 100 * id);
      REQUIRE(d.size() == 1);
      who.push_back(d[0].agent);
    }
    return who;
  };
  CHECK(first_two(Selection::round_robin) == std::vector<AgentId>{"a", "b"});
  CHECK(first_two(Selection::longest_idle) == std::vector<AgentId>{"a", "b"});
  CHECK(first_two(Selection::most_skilled) == std::vector<AgentId>{"b", "b"});
}

TEST_CASE("sticky agent: a returning customer waits briefly for their last agent") {
  Policy p = plain_policy();
  p.sticky = {true, 2 * kMinuteMs};
  Engine e(p);
  add_online(e, agent("other"), kMonday);
  add_online(e, agent("last"), kMonday);
  REQUIRE(e.set_presence("last", Presence::busy, kMonday));
  auto c = conv(1, 3, Tier::C, kMonday);
  c.previous_agent = "last";
  REQUIRE(e.enqueue(c, kMonday));
  CHECK(e.dispatch(kMonday + kMinuteMs).empty());  // "other" is free, but we wait for "last"
  REQUIRE(e.set_presence("last", Presence::online, kMonday + kMinuteMs));
  auto d = e.dispatch(kMonday + kMinuteMs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "last");
  CHECK_THAT(d[0].reason, Catch::Contains("sticky"));

  auto c2 = conv(2, 3, Tier::C, kMonday);
  c2.previous_agent = "last";
  REQUIRE(e.set_presence("last", Presence::busy, kMonday + kMinuteMs));
  REQUIRE(e.enqueue(c2, kMonday));
  d = e.dispatch(kMonday + 2 * kMinuteMs);  // the sticky wait is over
  REQUIRE(d.size() == 1);
  CHECK(d[0].agent == "other");
}
