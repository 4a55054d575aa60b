// Runs a Day (generated, or replayed from a gateway database) through the real routing engine
// on a simulated clock.
#pragma once

#include <map>
#include <omnigate/routing/engine.hpp>
#include <string>
#include <vector>

#include "day.hpp"

namespace routing_sim {

struct Outcome {
  omnigate::routing::Tier tier = omnigate::routing::Tier::C;
  int priority = 4;
  UnixMs arrived = 0;
  UnixMs answered = -1;  // assigned to an agent; -1 = never
  UnixMs first_response = -1;
  UnixMs first_response_due = 0;
  bool abandoned = false;
};

struct AgentUsage {
  std::string team;
  UnixMs online_ms = 0;
  UnixMs busy_ms = 0;  // online with at least one conversation
  int handled = 0;
};

struct SimResult {
  std::vector<Outcome> outcomes;
  std::map<std::string, AgentUsage> agents;
  std::map<omnigate::routing::TimerKind, int> timer_events;
  int decisions = 0;
  double wall_seconds = 0;
};

// The clock advances from day.start to day.end in steps of step_ms. Simulated agents accept
// offers at once, respond reply_ms after pick-up and release the conversation after handle_ms.
SimResult simulate(const Day& day, const omnigate::routing::Policy& policy, UnixMs step_ms);

}  // namespace routing_sim
