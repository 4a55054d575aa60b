#include "workload.hpp"

#include <iterator>
#include <string>

namespace routing_bench {

using namespace omnigate::routing;

namespace {
std::string skill_name(int i) {
  return "skill" + std::to_string(i);
}
}  // namespace

Workload::Workload(const WorkloadShape& shape) : shape_(shape), rng_(shape.seed) {
  std::uniform_int_distribution<int> skill(0, shape.skills - 1), level(1, 5);
  for (int i = 0; i < shape.agents; ++i) {
    AgentSpec a;
    a.id = "agent" + std::to_string(i);
    a.team = "team" + std::to_string(i % shape.teams);
    for (int k = 0; k < shape.skills_per_agent; ++k)
      a.skills.push_back({skill_name(skill(rng_)), level(rng_)});
    a.capacity = {{ChannelKind::voice, 1},
                  {ChannelKind::webchat, 3},
                  {ChannelKind::email, 8},
                  {ChannelKind::sms, 5}};
    a.total_capacity = 4;
    agents_.push_back(std::move(a));
  }
}

ConversationSpec Workload::next_conversation(UnixMs now) {
  static constexpr Tier kTiers[] = {Tier::A, Tier::B, Tier::C};  // the three tiers in use
  ConversationSpec c;
  c.id = next_id_++;
  c.arrived_at = now;
  c.tier = kTiers[rng_() % 3];
  c.priority = static_cast<int>(rng_() % 4) + 1;
  static const ChannelKind kKinds[] = {ChannelKind::sms, ChannelKind::email, ChannelKind::webchat,
                                       ChannelKind::voice};
  c.channel = kKinds[rng_() % std::size(kKinds)];
  const int needed = rng_() % 5 == 0 ? 2 : 1;
  for (int k = 0; k < needed; ++k)
    c.skills.push_back(
        {skill_name(static_cast<int>(rng_() % shape_.skills)), static_cast<int>(rng_() % 3) + 1});
  return c;
}

}  // namespace routing_bench
