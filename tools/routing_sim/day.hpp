// The replay input: a roster with its presence over time and the conversations that arrive.
// Both a generated day (traffic.cpp) and a gateway database's history (history.cpp) become a
// Day, so one simulation loop (simulation.cpp) and one report serve both.
#pragma once

#include <algorithm>
#include <array>
#include <omnigate/routing/engine.hpp>
#include <vector>

namespace routing_sim {

using omnigate::routing::UnixMs;

// Mean handle time per channel kind and mean patience of waiting live customers (webchat,
// voice), in minutes: a generated day draws from them; a replay falls back on them where the
// history does not tell.
struct ContactTimes {
  std::array<double, omnigate::routing::kChannelKindCount> handle_minutes = {8, 15, 10, 6};
  double patience_minutes = 20;
};

struct Arrival {
  omnigate::routing::ConversationSpec spec;  // spec.arrived_at: when it joins the queue
  double handle_ms = 0;                      // how long the agent holds it (capacity) once assigned
  double patience_ms = 0;                    // live channels: abandons if not assigned by then
  // The agent's first response this long after pick-up; negative = it never responds.
  double reply_ms = 0;
};

// How soon an agent responds after pick-up when nothing better is known: live channels on
// pick-up, written ones within a few minutes (at most the handle time).
inline double assumed_reply_ms(omnigate::routing::ChannelKind channel, double handle_ms) {
  return omnigate::routing::needs_live_handling(channel) ? 0.0 : std::min(handle_ms, 3 * 60000.0);
}

struct PresenceChange {
  UnixMs at = 0;
  omnigate::routing::AgentId agent;
  omnigate::routing::Presence presence = omnigate::routing::Presence::online;
};

struct Day {
  UnixMs start = 0, end = 0;                         // the simulated clock runs from start to end
  std::vector<omnigate::routing::AgentSpec> agents;  // every agent starts offline
  std::vector<PresenceChange> presence;              // by time
  std::vector<Arrival> arrivals;                     // by arrival time
};

}  // namespace routing_sim
