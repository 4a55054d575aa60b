// Check 1 of issue 19: the same seed draws the same sample; strata come in the sizes asked;
// targeted filters select exactly the matching conversations — over a real SQLite file of
// 100,000 generated conversations.
#include "generated_conversations.hpp"
#include "qa/draw_order.hpp"
#include "qa/draw_sample.hpp"
#include "qa/reviewer_rotation.hpp"
#include "qa/sample_size.hpp"
#include "store_test_env.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace omnigate;
using namespace omnigate::qa;
using namespace omnigate::qa::test;

namespace {

constexpr std::int64_t kConversations = 100'000;

// One generated store per test process (each TEST_CASE runs in its own ctest process).
store::Store& generated_store() {
  static store::test::StoreTestEnv env;
  static const bool generated = [] {
    env.store.reset();
    generate_conversations(env.options.path, kConversations);
    env.reopen();
    return true;
  }();
  (void)generated;
  return *env.store;
}

std::vector<std::int64_t> ids_of(const std::vector<store::QaConversation>& cs) {
  std::vector<std::int64_t> out;
  for (const auto& c : cs) out.push_back(c.id);
  return out;
}

std::vector<std::int64_t> drawn_ids(const DrawnSample& s) {
  std::vector<std::int64_t> out;
  for (const auto& d : s.items) out.push_back(d.conversation.id);
  return out;
}

SamplingStrategy stratified(std::string by, std::map<std::string, int> strata) {
  SamplingStrategy s;
  s.kind = SamplingStrategy::Kind::stratified;
  s.stratify_by = std::move(by);
  s.strata = std::move(strata);
  return s;
}

}  // namespace

TEST_CASE("targeted filters select exactly the matching conversations of 100,000") {
  auto& store = generated_store();
  std::vector<std::pair<std::string, store::QaConversationFilter>> filters;
  store::QaConversationFilter f;
  filters.push_back({"everything", f});
  f = {};
  f.sla_breached = true;
  filters.push_back({"SLA breached", f});
  f = {};
  f.escalated = true;
  filters.push_back({"escalated", f});
  f = {};
  f.transferred = true;
  filters.push_back({"transferred", f});
  f = {};
  f.low_csat = true;
  filters.push_back({"low CSAT", f});
  f = {};
  f.min_handle_ms = kLongHandleMs;
  filters.push_back({"long handle time", f});
  f = {};
  f.keyword = "ReFuNd";
  filters.push_back({"keyword", f});
  f = {};
  f.sla_breached = f.transferred = true;
  f.keyword = kKeyword;
  filters.push_back({"breached or transferred or keyword", f});
  f = {};
  f.escalated = true;
  f.from = kEpoch + 10 * kDayMs;
  f.to = kEpoch + 20 * kDayMs;
  f.teams = {"beta"};
  f.channels = {"email", "voice"};
  f.tiers = {"A"};
  filters.push_back({"escalated in a period, team, channels and tier", f});
  f = {};
  f.agents = {"agent3", "agent7"};
  f.min_handle_ms = kLongHandleMs / 2;
  filters.push_back({"two agents' long handling", f});

  for (const auto& [name, filter] : filters) {
    const auto expected = expected_ids(filter, kConversations);
    INFO(name << ": " << expected.size() << " expected");
    REQUIRE(!expected.empty());
    CHECK(ids_of(store.qa_conversations(filter)) == expected);
  }
}

TEST_CASE("the selected conversations carry their facts") {
  auto& store = generated_store();
  store::QaConversationFilter f;
  f.keyword = kKeyword;
  f.to = kEpoch + kDayMs;
  for (const auto& c : store.qa_conversations(f)) {
    const auto g = generated_facts(c.id);
    INFO(c.id);
    CHECK(c.agent == g.agent);
    CHECK(c.team == g.team);
    CHECK(c.channel_kind == g.channel);
    CHECK(c.tier == g.tier);
    CHECK(c.priority == g.priority);
    CHECK(c.sla_breached == g.sla_breached);
    CHECK(c.escalated == g.escalated);
    CHECK(c.transferred == g.transferred);
    CHECK(c.keyword_hit);
    CHECK(c.resolved_at.has_value() == g.handle_ms.has_value());
  }
}

TEST_CASE("the same seed over the same data draws the same sample, strata come as asked") {
  auto& store = generated_store();
  store::QaConversationFilter month;
  month.from = kEpoch;
  month.to = kEpoch + 30 * kDayMs;
  const auto candidates = store.qa_conversations(month);
  REQUIRE(candidates.size() > 40'000);

  SamplingStrategy random;
  random.percent = 1.5;
  random.min_per_agent = 3;
  const auto a = draw_sample(random, candidates, 42);
  const auto b = draw_sample(random, store.qa_conversations(month), 42);
  CHECK(drawn_ids(a) == drawn_ids(b));
  CHECK(drawn_ids(a) != drawn_ids(draw_sample(random, candidates, 43)));
  // The draw does not depend on the order the conversations came in.
  auto reversed = candidates;
  std::reverse(reversed.begin(), reversed.end());
  CHECK(drawn_ids(draw_sample(random, reversed, 42)) == drawn_ids(a));

  SECTION("random percent: each agent's share rounded up, no unheld conversation") {
    std::map<std::string, std::size_t> held, drawn;
    for (const auto& c : candidates) ++held[c.agent];
    for (const auto& d : a.items) ++drawn[d.conversation.agent];
    CHECK(!drawn.contains(""));
    for (const auto& [agent, n] : held) {
      if (agent.empty()) continue;
      INFO(agent);
      CHECK(drawn[agent] == (n * 15 + 999) / 1000);
    }
  }
  SECTION("random percent: the minimum per agent lifts a small share") {
    random.percent = 0.01;
    std::map<std::string, std::size_t> drawn;
    for (const auto& d : draw_sample(random, candidates, 7).items) ++drawn[d.conversation.agent];
    CHECK(drawn.size() == static_cast<std::size_t>(kAgents));
    for (const auto& [agent, n] : drawn) CHECK(n == 3);
  }
  SECTION("N per agent") {
    SamplingStrategy per_agent;
    per_agent.kind = SamplingStrategy::Kind::per_agent;
    per_agent.per_agent = 5;
    std::map<std::string, int> drawn;
    for (const auto& d : draw_sample(per_agent, candidates, 9).items) ++drawn[d.conversation.agent];
    CHECK(drawn.size() == static_cast<std::size_t>(kAgents));
    for (const auto& [agent, n] : drawn) CHECK(n == 5);
  }
  SECTION("stratified by channel, tier, priority and team: exactly the sizes asked") {
    for (const auto& strategy :
         {stratified("channel", {{"sms", 50}, {"email", 30}, {"webchat", 0}, {"voice", 7}}),
          stratified("tier", {{"A", 11}, {"B", 22}, {"C", 33}}),
          stratified("priority", {{"1", 40}, {"4", 4}}),
          stratified("team", {{"alpha", 5}, {"gamma", 25}})}) {
      INFO(strategy.stratify_by);
      const auto s = draw_sample(strategy, candidates, 1234);
      std::map<std::string, int> sizes;
      for (const auto& d : s.items) {
        CHECK(d.stratum == stratum_of(d.conversation, strategy.stratify_by));
        ++sizes[d.stratum];
      }
      for (const auto& [stratum, size] : strategy.strata) {
        INFO(stratum);
        CHECK(sizes[stratum] == size);
      }
      CHECK(s.shortfalls.empty());
      CHECK(drawn_ids(s) == drawn_ids(draw_sample(strategy, candidates, 1234)));
    }
  }
  SECTION("a stratum smaller than asked gives all it has and says how many are missing") {
    store::QaConversationFilter narrow = month;
    narrow.agents = {"agent1"};
    narrow.escalated = true;
    const auto few = store.qa_conversations(narrow);
    std::size_t voice = 0;
    for (const auto& c : few) voice += c.channel_kind == "voice";
    const auto s = draw_sample(stratified("channel", {{"voice", 100000}}), few, 5);
    CHECK(s.items.size() == voice);
    CHECK(s.shortfalls.at("voice") == static_cast<int>(100000 - voice));
  }
  SECTION("targeted with a limit takes the first of the draw order") {
    store::QaConversationFilter breached = month;
    breached.sla_breached = true;
    SamplingStrategy targeted;
    targeted.kind = SamplingStrategy::Kind::targeted;
    const auto all = draw_sample(targeted, store.qa_conversations(breached), 3);
    CHECK(all.items.size() == expected_ids(breached, kConversations).size());
    targeted.limit = 25;
    const auto some = draw_sample(targeted, store.qa_conversations(breached), 3);
    const auto all_ids = drawn_ids(all);
    CHECK(drawn_ids(some) == std::vector<std::int64_t>(all_ids.begin(), all_ids.begin() + 25));
  }
}

TEST_CASE("the draw order is the specified SplitMix64, the same on every platform") {
  // Published first outputs of SplitMix64 seeded with 0 (state advanced by the golden gamma).
  CHECK(splitmix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(splitmix64(0x9e3779b97f4a7c15ULL) == 0x6e789e6aa1b965f4ULL);
  CHECK(draw_key(42, 7) == splitmix64(splitmix64(42) ^ 7));
}

TEST_CASE("reviewers are given conversations in turn, never their own") {
  const std::vector<Reviewer> reviewers{{"rita", "agent1"}, {"quinn", ""}, {"sam", "agent3"}};
  CHECK(assign_reviewers({"agent5", "agent5", "agent5", "agent5"}, reviewers) ==
        std::vector<std::string>{"rita", "quinn", "sam", "rita"});
  // rita's turn comes on her own conversation: quinn takes it, and the turn goes on after him.
  CHECK(assign_reviewers({"agent1", "agent2", "agent3", "agent3"}, reviewers) ==
        std::vector<std::string>{"quinn", "sam", "rita", "quinn"});
  // The only reviewer's own conversation stays unassigned.
  CHECK(assign_reviewers({"agent1", "agent2"}, {{"rita", "agent1"}}) ==
        std::vector<std::string>{"", "rita"});
}

TEST_CASE("the sample-size helper: Cochran's formula with the finite population correction") {
  // 95% ± 5%: z = 1.959964, n0 = 384.15 → 385; of 1,000 conversations 278; of 100 → 80.
  const auto infinite = sample_size(0.95, 0.05, std::nullopt);
  CHECK(infinite.z == Approx(1.959964).epsilon(1e-6));
  CHECK(infinite.n0 == Approx(384.1459).epsilon(1e-6));
  CHECK(infinite.n == 385);
  CHECK(sample_size(0.95, 0.05, 1000).n == 278);
  CHECK(sample_size(0.95, 0.05, 100).n == 80);
  CHECK(sample_size(0.99, 0.03, std::nullopt).n == 1844);
  CHECK(sample_size(0.95, 0.05, 1).n == 1);
  CHECK_THROWS_AS(sample_size(1.0, 0.05, std::nullopt), std::invalid_argument);
  CHECK_THROWS_AS(sample_size(0.95, 0, std::nullopt), std::invalid_argument);
}
