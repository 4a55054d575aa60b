// Eligibility and the candidate index on their own: who can take a conversation, and which of
// them the index offers first under the selection rule.
#include <catch2/catch.hpp>

#include "candidate_index.hpp"
#include "node_pool.hpp"

using namespace omnigate::routing;

namespace {

constexpr int kSms = 0, kWebchat = 1, kVoice = 2;
constexpr int kBilling = 0, kFrench = 1;

AgentRec agent(std::string id, std::vector<std::pair<int, int>> skills = {}, int team = kNone) {
  AgentRec a;
  a.id = std::move(id);
  a.presence = Presence::online;
  a.team = team;
  a.skills = std::move(skills);  // sorted by skill id
  a.kinds = {{2, 0}, {2, 0}, {1, 0}};
  a.total_cap = 3;
  return a;
}

ConvRec conversation(int kind = kSms, std::vector<std::pair<int, int>> skills = {},
                     Tier tier = Tier::B) {
  ConvRec c;
  c.kind = kind;
  c.skills = std::move(skills);
  c.spec.tier = tier;
  return c;
}

// An index over `agents` with every group already built, as the engine has it once
// conversations arrived.
struct Fixture {
  NodePool pool;
  std::vector<AgentRec> agents;
  Eligibility rules{.voice_blocks_chat = true, .voice_kind = kVoice, .webchat_kind = kWebchat};
  CandidateIndex index{&pool, agents, rules, Selection::least_occupied};

  explicit Fixture(std::vector<AgentRec> all, int teams = 0) : agents(std::move(all)) {
    index.make_room(2, teams);
    index.build_group(kNone);
    for (int ai = 0; ai < static_cast<int>(agents.size()); ++ai) index.index(ai);
  }

  std::string best(const ConvRec& c, int drop = 0, int team = kNone) const {
    const auto key = index.best_in_team(team, c, drop);
    return key ? agents[key->agent].id : "nobody";
  }

  void take(int ai, int kind) {
    ++agents[ai].kinds[kind].load;
    ++agents[ai].total_load;
    index.rekey(ai);
  }
};

}  // namespace

TEST_CASE("eligibility: room on the conversation's channel, within the total") {
  Eligibility rules;
  auto a = agent("ann");
  CHECK(rules.can_take(a, kSms));
  a.kinds[kSms].load = 2;
  CHECK_FALSE(rules.can_take(a, kSms));  // the kind's own limit
  CHECK(rules.can_take(a, kWebchat));
  a.total_load = 3;
  CHECK_FALSE(rules.can_take(a, kWebchat));  // the total
  CHECK_FALSE(Eligibility::has_room(a));
}

TEST_CASE("eligibility: nothing new while away or in wrap-up") {
  Eligibility rules;
  auto a = agent("ann");
  a.wrapping_up = true;
  CHECK_FALSE(rules.can_take(a, kSms));
  a.wrapping_up = false;
  a.presence = Presence::busy;
  CHECK_FALSE(rules.can_take(a, kSms));
  CHECK(rules.kinds_open(a) == 0);
}

TEST_CASE("eligibility: an agent on a voice call takes no webchat when the policy says so") {
  auto a = agent("ann");
  a.kinds[kVoice].load = 1;
  a.total_load = 1;
  const Eligibility blocks{
      .voice_blocks_chat = true, .voice_kind = kVoice, .webchat_kind = kWebchat};
  CHECK_FALSE(blocks.can_take(a, kWebchat));
  CHECK(blocks.can_take(a, kSms));
  CHECK(blocks.kinds_open(a) == kind_bit(kSms));
  const Eligibility allows{
      .voice_blocks_chat = false, .voice_kind = kVoice, .webchat_kind = kWebchat};
  CHECK(allows.can_take(a, kWebchat));
}

TEST_CASE("eligibility: skill levels, lowered by bullseye but never below 1") {
  const auto a = agent("ann", {{kBilling, 2}});
  const auto c = conversation(kSms, {{kBilling, 4}});
  CHECK_FALSE(Eligibility::has_skills(a, c, 0));
  CHECK_FALSE(Eligibility::has_skills(a, c, 1));
  CHECK(Eligibility::has_skills(a, c, 2));
  const auto needs_french = conversation(kSms, {{kFrench, 2}});
  CHECK_FALSE(Eligibility::has_skills(a, needs_french, 5));  // a skill it lacks stays required
}

TEST_CASE("eligibility: pool routing respects the tiers served and earlier declines") {
  const Eligibility rules;
  auto a = agent("ann");
  a.tiers_mask = 1u << static_cast<int>(Tier::S);
  auto c = conversation(kSms, {}, Tier::B);
  CHECK(rules.eligible_named(a, 0, c, 0));  // the customer's own agent: tier does not apply
  CHECK_FALSE(rules.eligible_pool(a, 0, c, 0));
  c.spec.tier = Tier::S;
  CHECK(rules.eligible_pool(a, 0, c, 0));
  c.declined = {0};
  CHECK_FALSE(rules.eligible_pool(a, 0, c, 0));
}

TEST_CASE("the index offers the least occupied agent first, then the longest idle") {
  auto ann = agent("ann"), bob = agent("bob"), cay = agent("cay");
  ann.total_load = ann.kinds[kSms].load = 1;
  bob.idle_since = 200;
  cay.idle_since = 100;
  Fixture f({ann, bob, cay});
  CHECK(f.best(conversation()) == "cay");
  f.take(2, kSms);  // cay now holds one conversation: bob is the least occupied
  CHECK(f.best(conversation()) == "bob");
}

TEST_CASE("the index skips agents without the channel's room, the skill, or the tier") {
  auto ann = agent("ann", {{kBilling, 1}}), bob = agent("bob", {{kBilling, 3}});
  ann.kinds[kVoice].cap = 0;
  bob.tiers_mask = 1u << static_cast<int>(Tier::S);
  Fixture f({ann, bob});
  CHECK(f.best(conversation(kVoice, {}, Tier::S)) == "bob");
  CHECK(f.best(conversation(kVoice, {}, Tier::B)) == "nobody");
  CHECK(f.best(conversation(kSms, {{kBilling, 3}}, Tier::S)) == "bob");
  CHECK(f.best(conversation(kSms, {{kBilling, 3}}, Tier::B)) == "nobody");
  CHECK(f.best(conversation(kSms, {{kBilling, 3}}, Tier::B), 2) == "ann");
  CHECK(f.best(conversation(kSms, {{kFrench, 1}})) == "nobody");
}

TEST_CASE("an agent leaves the index when its room runs out and returns when it frees") {
  Fixture f({agent("ann", {{kFrench, 2}})});
  CHECK(f.index.anyone_available_with(kFrench));
  f.take(0, kSms);
  f.take(0, kSms);
  f.take(0, kWebchat);  // total 3 of 3
  CHECK_FALSE(f.index.anyone_available_with(kNone));
  CHECK_FALSE(f.index.anyone_available_with(kFrench));
  CHECK(f.best(conversation(kVoice)) == "nobody");
  --f.agents[0].kinds[kSms].load;
  --f.agents[0].total_load;
  f.index.rekey(0);
  CHECK(f.index.anyone_available_with(kFrench));
  CHECK(f.best(conversation(kSms)) == "ann");
  CHECK_FALSE(f.index.anyone_available_with(kBilling));
}

TEST_CASE("a team's candidates are its members, in selection order even when built late") {
  const int gold = 0;
  auto ann = agent("ann", {}, gold), bob = agent("bob"), cay = agent("cay", {}, gold);
  ann.idle_since = 300;
  cay.idle_since = 100;
  Fixture f({ann, bob, cay}, 1);
  CHECK(f.best(conversation(), 0, gold) == "nobody");  // gold's sets are not built yet
  f.index.build_group(gold);
  CHECK(f.best(conversation(), 0, gold) == "cay");
  f.take(2, kSms);
  CHECK(f.best(conversation(), 0, gold) == "ann");
  CHECK(f.best(conversation(), 0, kNone) == "bob");  // idle since 0, unoccupied
}
