// The store's conversations and agents as the routing engine sees them, and the description of
// a channel kind's routing that `omnigate plugins check` prints.
#include "routing_specs/routing_specs.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace omnigate;

namespace {

store::Agent agent(std::string id, std::map<std::string, int> capacity) {
  store::Agent a;
  a.id = std::move(id);
  a.capacity = std::move(capacity);
  return a;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("a conversation requires exactly the skills it carries, whatever its kind",
          "[routing_specs]") {
  const std::string kind = "echo", none;
  const std::vector<store::SkillLevel> skills = {{"billing", 3}};
  const auto spec = routing_specs::conversation_spec({store::Tier::B, 2, kind, skills, none, none});
  CHECK(spec.channel == routing::ChannelKind("echo"));
  REQUIRE(spec.skills.size() == 1);
  CHECK(spec.skills[0].skill == "billing");
  CHECK(spec.skills[0].min_level == 3);

  const std::vector<store::SkillLevel> no_skills;
  const std::string sms = "sms";
  CHECK(routing_specs::conversation_spec({store::Tier::C, 0, sms, no_skills, none, none})
            .skills.empty());
}

TEST_CASE("an agent's capacity map: any kind, and total across kinds", "[routing_specs]") {
  const auto spec = routing_specs::agent_spec(agent("ann", {{"echo", 2}, {"total", 4}}));
  CHECK(spec.capacity == std::map<routing::ChannelKind, int>{{routing::ChannelKind("echo"), 2}});
  CHECK(spec.total_capacity == 4);
}

TEST_CASE("plugins check's routing lines say where a kind's capacity comes from",
          "[routing_specs]") {
  const auto defaults = routing::Policy::defaults();
  const auto unnamed =
      routing_specs::describe_kind_routing(defaults, {agent("ann", {{"sms", 5}})}, "echo");
  CHECK(unnamed.front() ==
        "kind \"echo\" → capacity 1 per agent (routing.capacity.default: the policy names no "
        "\"echo\"; no agent names \"echo\"), skills required: none");
  CHECK_THAT(joined(unnamed), Catch::Contains("stay with it (not in routing.live_kinds)"));

  auto policy = routing::parse_policy_json(R"({"capacity": {"echo": 3}, "live_kinds": ["echo"]})");
  const auto named = routing_specs::describe_kind_routing(
      policy, {agent("ann", {{"echo", 2}}), agent("bob", {})}, "echo");
  CHECK(named.front() ==
        "kind \"echo\" → capacity 3 per agent (routing.capacity.echo), skills required: none");
  CHECK_THAT(joined(named), Catch::Contains("agents setting their own: ann 2 (1 of 2)"));
  CHECK_THAT(joined(named), Catch::Contains("go back to the queue (routing.live_kinds)"));

  policy = routing::parse_policy_json(R"({"capacity": {"default": 0}})");
  CHECK_THAT(joined(routing_specs::describe_kind_routing(policy, {agent("ann", {})}, "echo")),
             Catch::Contains("warning: no agent in the config can take \"echo\" (capacity 0)"));
  CHECK_THAT(joined(routing_specs::describe_kind_routing(defaults, {}, "total")),
             Catch::Contains("\"total\" is a reserved key of capacity tables"));
}

TEST_CASE("a channel's configured skill level is what the engine requires, not level 1",
          "[routing_specs]") {
  // An SMS instance configured with skills = [{skill = "sms", min_level = 3}] stores [{sms, 3}]
  // on its conversations.
  const std::string sms = "sms", none;
  const std::vector<store::SkillLevel> configured = {{"sms", 3}};
  auto spec = routing_specs::conversation_spec({store::Tier::C, 3, sms, configured, none, none});
  REQUIRE(spec.skills.size() == 1);
  CHECK(spec.skills[0].skill == "sms");
  CHECK(spec.skills[0].min_level == 3);

  auto policy = routing::Policy::defaults();
  policy.ageing.enabled = false;  // ageing lowers required levels over time; not tested here
  routing::Engine engine(policy);
  const routing::UnixMs now = 1795392000000LL;
  store::Agent junior = agent("junior", {{"sms", 5}});
  junior.skills = {{"sms", 2}};
  REQUIRE(engine.upsert_agent(routing_specs::agent_spec(junior), now));
  REQUIRE(engine.set_presence("junior", routing::Presence::online, now));
  spec.id = 7;
  spec.arrived_at = now;
  REQUIRE(engine.enqueue(spec, now));
  CHECK(engine.dispatch(now).empty());
  CHECK_THAT(engine.explain(7), Catch::Contains("sms>=3"));
  CHECK_THAT(engine.explain(7), !Catch::Contains("sms>=1"));

  store::Agent senior = agent("senior", {{"sms", 5}});
  senior.skills = {{"sms", 3}};
  REQUIRE(engine.upsert_agent(routing_specs::agent_spec(senior), now));
  REQUIRE(engine.set_presence("senior", routing::Presence::online, now));
  const auto decided = engine.dispatch(now);
  REQUIRE(decided.size() == 1);
  CHECK(decided[0].agent == "senior");
}
