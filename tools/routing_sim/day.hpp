// The replay input: a roster with its presence over time and the conversations that arrive.
// Both a generated day (traffic.cpp) and a gateway database's history (history.cpp) become a
// Day, so one simulation loop (simulation.cpp) and one report serve both.
#pragma once

#include <algorithm>
#include <map>
#include <omnigate/routing/engine.hpp>
#include <vector>

namespace routing_sim {

using omnigate::routing::UnixMs;

// Mean handle time per channel kind and mean patience of waiting live customers (webchat,
// voice), in minutes: a generated day draws from them; a replay falls back on them where the
// history does not tell.
struct ContactTimes {
  std::map<omnigate::routing::ChannelKind, double> handle_minutes = {
      {omnigate::routing::ChannelKind::sms, 8},
      {omnigate::routing::ChannelKind::email, 15},
      {omnigate::routing::ChannelKind::webchat, 10},
      {omnigate::routing::ChannelKind::voice, 6}};
  double other_handle_minutes = 10;  // kinds the table does not name
  double patience_minutes = 20;

  double handle_minutes_of(const omnigate::routing::ChannelKind& kind) const {
    const auto it = handle_minutes.find(kind);
    return it != handle_minutes.end() ? it->second : other_handle_minutes;
  }
};

// Whether a customer on this channel is there live (and leaves when kept waiting): the kinds
// the default policy handles live (routing.live_kinds).
inline bool live_channel(const omnigate::routing::ChannelKind& kind) {
  static const auto live = omnigate::routing::Policy::defaults().live_kinds;
  return live.count(kind) != 0;
}

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
  return live_channel(channel) ? 0.0 : std::min(handle_ms, 3 * 60000.0);
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
