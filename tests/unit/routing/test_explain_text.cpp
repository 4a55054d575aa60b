// The engine's reasons in words, from the facts the engine found: what an operator reads in a
// decision, in explain(), and in a refused transfer or pick.
#include <catch2/catch.hpp>

#include "explain_text.hpp"

using namespace omnigate::routing;

namespace {

AgentRec online_agent(std::string id) {
  AgentRec a;
  a.id = std::move(id);
  a.presence = Presence::online;
  a.total_cap = 4;
  return a;
}

NoAgentFacts sms_in(std::string_view team) {
  NoAgentFacts f;
  f.kind = "sms";
  f.team = team;
  f.tier = Tier::B;
  return f;
}

}  // namespace

TEST_CASE("no agent: a conversation blocked by skills says so, naming the missing level") {
  auto f = sms_in("support");
  f.online = 3;
  f.required = {"billing>=3", "french>=1"};
  f.missing = {"billing>=3"};
  CHECK(no_agent_text(f) == "blocked by skills: nobody online in support has billing>=3");
  f.missing.clear();  // each level exists, but no agent has all of them
  CHECK(no_agent_text(f) ==
        "blocked by skills: no online agent in support has all of billing>=3, french>=1");
}

TEST_CASE("no agent: the first finding that blocks is named") {
  auto f = sms_in("any team");
  CHECK(no_agent_text(f) == "no agent online in any team");
  f.online = 2;
  f.skilled = 2;
  CHECK(no_agent_text(f) ==
        "no free sms capacity: the 2 online agent(s) in any team with the "
        "skills are at their limit");
  f.skilled_free = 1;
  CHECK(no_agent_text(f) ==
        "no eligible agent in any team: the 1 with the skills and free sms "
        "capacity do not serve tier B or declined it");
}

TEST_CASE("a decision's reason names the rule and who or where") {
  ReasonWords w;
  w.agent = "ann";
  w.team = "gold";
  w.tier = Tier::S;
  w.selection = Selection::least_occupied;
  CHECK(reason_text({.rule = Choice::Rule::named_manager}, w) ==
        "named account manager ann (tier S)");
  CHECK(reason_text({.rule = Choice::Rule::pool, .drop = 1, .overflow = true}, w) ==
        "best of overflow team gold by least_occupied, skill levels lowered by 1 (bullseye)");
  CHECK(reason_text({.rule = Choice::Rule::pool}, w) == "best of gold by least_occupied");
}

TEST_CASE("a waiting conversation's reason says what it waits for and how long") {
  ReasonWords w;
  w.named = "bob";
  w.tier = Tier::A;
  w.sticky_wait_ms = 90'000;
  w.preferred_wait_ms = 120'000;
  CHECK(reason_text({.rule = Choice::Rule::sticky_wait}, w) ==
        "waiting for previous agent bob (sticky, up to 90s)");
  CHECK(reason_text({.rule = Choice::Rule::reserved, .group = true}, w) ==
        "reserved for the customer's dedicated group for 120s (tier A)");
  w.no_agent = "no agent online in any team";
  CHECK(reason_text({.rule = Choice::Rule::no_agent, .drop = 2}, w) ==
        "no agent online in any team, skill levels lowered by 2 (bullseye)");
  CHECK(reason_text({}, w) == "not dispatched yet");
}

TEST_CASE("a transfer or pick keeps the operator's words") {
  ReasonWords w;
  w.given = "transferred from ann to bob";
  CHECK(reason_text({.rule = Choice::Rule::given}, w) == "transferred from ann to bob");
}

TEST_CASE("a refused transfer names the limit that refused: total or the channel's own") {
  auto a = online_agent("ann");
  a.total_load = 4;
  CHECK(cannot_take_text(a, {2, 1}, "sms") ==
        "ann is at total capacity: 4 of 4 conversations across all channels");
  a.total_load = 2;
  CHECK(cannot_take_text(a, {2, 2}, "sms") == "ann is at sms capacity: 2 of 2 sms conversations");
  CHECK(cannot_take_text(a, {0, 0}, "voice") ==
        "ann takes no voice conversations (voice capacity 0)");
  CHECK(cannot_take_text(a, {2, 0}, "webchat") == "ann is on a voice call (voice_blocks_chat)");
}

TEST_CASE("an agent away or in wrap-up is refused for that, before any capacity") {
  auto a = online_agent("ann");
  a.total_load = a.total_cap;
  a.wrapping_up = true;
  a.wrap_up_until = 5000;
  CHECK(cannot_take_text(a, {1, 1}, "sms") == "ann is in wrap-up until 5000");
  a.presence = Presence::away;
  CHECK(cannot_take_text(a, {1, 1}, "sms") == "ann is away");
}

TEST_CASE("explain describes the conversation and counts what keeps each agent away") {
  ConversationSpec spec;
  spec.id = 7;
  spec.priority = 2;
  spec.tier = Tier::A;
  spec.channel = ChannelKind::sms;
  spec.skills = {{"billing", 3}};
  spec.arrived_at = 1000;
  CHECK(describe_conversation(spec, "support") ==
        "conversation 7: P2 tier A sms billing>=3, arrived 1000, team support");
  CHECK(describe_conversation(spec, "") ==
        "conversation 7: P2 tier A sms billing>=3, arrived 1000");
  const AgentTally tally{.offline = 1, .no_capacity = 2, .no_skill = 3, .eligible = 4};
  CHECK(agent_tally_text(tally, "sms", Tier::A) ==
        "agents: 1 not online, 2 without free sms capacity, 3 missing a required skill level, 0 "
        "not serving tier A, 0 declined it, 4 otherwise eligible\n");
}
