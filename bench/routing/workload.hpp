// A synthetic contact centre for the routing benchmark: agents with random skills and
// proficiency across teams, and conversations across tiers, priorities and channels.
#pragma once

#include <omnigate/routing/engine.hpp>
#include <random>
#include <vector>

namespace routing_bench {

struct WorkloadShape {
  int agents = 10000;
  int skills = 100;
  int skills_per_agent = 6;
  int teams = 3;
  unsigned seed = 1;
};

class Workload {
 public:
  explicit Workload(const WorkloadShape& shape);
  const std::vector<omnigate::routing::AgentSpec>& agents() const { return agents_; }
  // The next conversation (ids count up from 1), arriving at `now`.
  omnigate::routing::ConversationSpec next_conversation(omnigate::routing::UnixMs now);

 private:
  WorkloadShape shape_;
  std::mt19937_64 rng_;
  std::vector<omnigate::routing::AgentSpec> agents_;
  omnigate::routing::ConversationId next_id_ = 1;
};

}  // namespace routing_bench
