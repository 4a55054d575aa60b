// A generated contact-centre day: a staffed roster with shifts, and arrivals following a
// two-peak daily curve across tiers, priorities, channels and skills.
#pragma once

#include <omnigate/routing/engine.hpp>
#include <random>
#include <string>
#include <vector>

namespace routing_sim {

using omnigate::routing::UnixMs;

struct TrafficShape {
  int agents = 40;
  int skills = 6;
  double peak_arrivals_per_hour = 160;  // at the busiest hour; the curve scales the rest
  double hours = 24;
  // Mean handle time per channel kind (sms, email, webchat, voice), minutes.
  std::array<double, omnigate::routing::kChannelKindCount> handle_minutes = {8, 15, 10, 6};
  // Mean patience of a waiting live customer (webchat, voice) before abandoning, minutes.
  double patience_minutes = 20;
  unsigned seed = 1;
};

struct Shift {
  std::string agent;
  UnixMs start = 0, end = 0;
};

struct Arrival {
  omnigate::routing::ConversationSpec spec;
  double handle_ms = 0;    // how long the agent works on it once assigned
  double patience_ms = 0;  // live channels: abandons if not assigned by then
};

struct Day {
  std::vector<omnigate::routing::AgentSpec> agents;
  std::vector<Shift> shifts;
  std::vector<Arrival> arrivals;  // by arrival time
};

// Arrivals per hour at local hour h, relative to the peak (peaks at 10:00 and 15:00).
double daily_curve(double hour);

Day generate_day(const TrafficShape& shape, UnixMs day_start);

}  // namespace routing_sim
