// Turns the history a gateway database holds into a Day to replay: each contact (a
// conversation's queued-to-resolved episode) that arrived in the window, with its handle time,
// response delay and patience as they happened, and the roster with its presence over time.
// Pure: history_db.cpp reads the rows; this file only derives, so it is fuzzed and unit-tested
// without a database.
#pragma once

#include <store/model.hpp>

#include <array>
#include <string>
#include <vector>

#include "day.hpp"

namespace routing_sim {

// Rows as stored (JSON columns still text: they are parsed here, leniently).
struct ConversationRow {
  omnigate::store::Id id = 0;
  omnigate::store::Id customer_id = 0;
  std::string channel_kind;
  omnigate::store::Tier tier = omnigate::store::Tier::C;  // snapshot taken when it was opened
  int priority = 4;
  std::vector<omnigate::store::SkillLevel> skills;
  std::string account_team, account_manager;  // the customer's, as they are now
};

struct EventRow {
  omnigate::store::Id conversation_id = 0;
  std::string kind;  // conversation.queued / reopened / requeued / assigned / resolved / closed,
                     // message.sent
  std::string actor;
  std::string data_json;  // conversation.assigned: {"agent": "..."}
  UnixMs at = 0;
};

struct PresenceRow {
  std::string object;       // "agent:<id>" (audit action "agent.presence")
  std::string detail_json;  // {"presence": "online" | "busy" | "away" | "offline"}
  UnixMs at = 0;
};

struct HistoryRows {
  std::vector<ConversationRow> conversations;
  std::vector<EventRow> events;  // in commit order (events.id)
  std::vector<omnigate::store::Agent> agents;
  std::vector<PresenceRow> presence;  // by time
  UnixMs last_activity = 0;           // the latest event or audit time: where history ends
};

struct ReplayWindow {
  UnixMs from = 0, to = 0;  // contacts arriving in [from, to); 0 = from the first / to the last
};

// What the replay derived, and where it had to assume (printed above the report).
struct HistorySummary {
  int contacts = 0;  // replayed: arrived in the window and routable
  std::array<int, omnigate::routing::kTierCount> per_tier{};
  int resolved = 0;                 // handle time = time assigned until resolved/closed
  int open_at_end = 0;              // assigned, not resolved: handle time = assigned so far
  int abandoned = 0;                // live, closed without ever being assigned
  int never_assigned = 0;           // written or still queued: handle time = channel mean
  int unroutable = 0;               // the engine refuses them (channel kind, skills): not replayed
  int unroutable_agents = 0;        // the engine refuses their profile (skills): not replayed
  int agents_without_presence = 0;  // no presence known: online for the whole window
};

struct Replay {
  Day day;
  HistorySummary summary;
};

// `fallback`: handle time of contacts never assigned (when no contact of their channel kind was
// assigned in the window to take the mean from), and patience of answered live contacts.
Replay replay_from_history(const HistoryRows& rows, const ReplayWindow& window,
                           const ContactTimes& fallback = {});

}  // namespace routing_sim
