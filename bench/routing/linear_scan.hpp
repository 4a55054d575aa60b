// The baseline: the same decisions (queue order, skills with proficiency, tiers served,
// capacity per channel, least occupied) made by a plain linear scan over every queued
// conversation and every agent, with no index.
#pragma once

#include <array>
#include <omnigate/routing/engine.hpp>
#include <optional>
#include <string>
#include <vector>

namespace routing_bench {

class LinearScanRouter {
 public:
  explicit LinearScanRouter(const std::vector<omnigate::routing::AgentSpec>& agents);
  void enqueue(const omnigate::routing::ConversationSpec& c);
  // Places an already-assigned conversation (to copy another router's state).
  void assign(const omnigate::routing::ConversationSpec& c, int agent);
  // One decision: the first queued conversation (in queue order) with an eligible agent.
  std::optional<std::pair<omnigate::routing::ConversationId, int>> decide();
  void finish(omnigate::routing::ConversationId id);
  std::size_t queued() const { return queue_.size(); }
  std::size_t assigned() const { return assigned_.size(); }
  // Any assigned conversation (for the benchmark to resolve), by position.
  omnigate::routing::ConversationId assigned_at(std::size_t i) const {
    return assigned_[i].first.id;
  }

 private:
  struct Agent {
    std::vector<std::pair<std::string, int>> skills;
    std::array<int, 4> cap{}, load{};  // per kind_index()
    int total_cap = 0, total_load = 0;
  };
  // `kind`: kind_index() of c.channel, worked out once per conversation.
  bool eligible(const Agent& a, const omnigate::routing::ConversationSpec& c, int kind) const;
  std::vector<Agent> agents_;
  std::vector<omnigate::routing::ConversationSpec> queue_;  // kept in queue order
  std::vector<std::pair<omnigate::routing::ConversationSpec, int>> assigned_;
};

}  // namespace routing_bench
