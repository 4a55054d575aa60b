// The routing policy: every number the handbooks give is a default here and a key in the
// gateway's [routing] TOML table (passed to parse_policy as JSON). docs/routing.md lists them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "omnigate/routing/calendar.hpp"
#include "omnigate/routing/types.hpp"

namespace omnigate::routing {

inline constexpr std::int64_t kSecondMs = 1000;
inline constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr std::int64_t kHourMs = 60 * kMinuteMs;

// A duration of service time: plain milliseconds, or a number of working days of the
// calendar it is applied on ("3wd" = 3 x that calendar's working day).
struct ServiceDuration {
  std::int64_t ms = 0;
  std::int64_t working_days = 0;
  std::int64_t on(const BusinessCalendar& cal) const {
    return ms + working_days * cal.working_day_ms();
  }
};

struct SlaTarget {
  ServiceDuration first_response;
  ServiceDuration resolution;
  ServiceDuration resolution_max;  // hard limit; breaching it escalates again
  // Per channel kind, replacing first_response for conversations of that kind (the handbook's
  // P1 first response of 15 minutes is the phone's): key sla.P1.first_response_by_kind.
  std::map<ChannelKind, ServiceDuration> first_response_by_kind;
};

struct SlaPolicy {
  std::array<SlaTarget, kPriorityCount> by_priority;                     // index 0 = P1
  std::array<ServiceDuration, kPriorityCount> dedicated_first_response;  // dedicated group
  std::int64_t warn_before_ms = 5 * kMinuteMs;  // warning this long before a breach
  bool pause_while_waiting_customer = true;
  int escalate_at_once_up_to_priority = 2;  // P1/P2 go to supervisors at once
  std::int64_t progress_update_every_ms = 30 * kMinuteMs;
  int progress_update_up_to_priority = 2;  // P1/P2 customers get updates
};

struct TierPolicy {
  std::string calendar = "24x7";       // key into Policy::calendars
  bool dedicated_group = false;        // go first to the customer's account team
  bool named_manager = false;          // go first to the customer's named account manager
  std::int64_t preferred_wait_ms = 0;  // how long only the dedicated group/manager may take it
};

struct BullseyeStep {
  std::int64_t after_ms = 0;  // waiting time at which this step applies
  int level_drop = 1;         // required proficiency lowered by this much (never below 1)
};

struct TeamPolicy {
  std::vector<std::string> overflow_to;  // teams that may take this team's work...
  std::int64_t overflow_after_ms = 0;    // ...after this wait (0 = never overflow)
};

// One [[routing.team_rules]] entry: a new conversation it matches gets `team` as its home team
// (the team whose agents take it, with that team's overflow). Rules are tried in order; the
// first match wins. The engine does not apply them: the gateway knows the channel instance and
// the customer's attributes (gateway/routing_specs/team_rules.hpp).
struct TeamRule {
  std::string team;
  // The match, `when`: exactly one of these is set.
  std::string channel_instance;  // the plugin instance the conversation came in through
  std::string skill;             // a skill the conversation requires (any level)
  std::string attribute_key;     // customer_attribute = {key, value}: the customer's attribute
  std::string attribute_value;   // `key` is this (strings as written; numbers, booleans as JSON)
};

enum class Selection { least_occupied, longest_idle, round_robin, most_skilled };
const char* to_string(Selection s);

struct AgeingPolicy {
  bool enabled = true;
  // Every `step_ms` of waiting lifts a conversation one band (a band = one tier step; four
  // bands = one priority step), so low tiers are never starved. 0 disables.
  std::int64_t step_ms = 10 * kMinuteMs;
  int max_bands = 15;
};

struct StickyPolicy {
  bool enabled = true;
  std::int64_t wait_ms = 2 * kMinuteMs;  // how long a returning customer waits for their agent
};

// How many conversations of each channel kind an agent holds at once, for agents whose own
// capacity map does not name the kind (keys of [routing.capacity]).
struct CapacityDefaults {
  std::map<ChannelKind, int> per_kind = {{ChannelKind::sms, 5},
                                         {ChannelKind::email, 8},
                                         {ChannelKind::webchat, 3},
                                         {ChannelKind::voice, 1}};
  // Kinds that neither this table nor the agent names (a new plugin's): one at a time, the
  // budget of the most demanding channel (a call), until the operator says more.
  int other_kinds = 1;  // key `default`
  int total = 10;

  int for_kind(const ChannelKind& kind) const {
    const auto it = per_kind.find(kind);
    return it != per_kind.end() ? it->second : other_kinds;
  }
};

struct Policy {
  SlaPolicy sla;
  std::map<std::string, BusinessCalendar> calendars;  // always has "24x7"
  std::array<TierPolicy, kTierCount> tiers;           // index = Tier
  std::vector<BullseyeStep> bullseye;                 // ordered by after_ms
  std::map<std::string, TeamPolicy> teams;
  std::vector<TeamRule> team_rules;  // home team by rule, first match wins
  Selection selection = Selection::least_occupied;
  AgeingPolicy ageing;
  StickyPolicy sticky;
  CapacityDefaults capacity;
  // Kinds handled live (the customer is there now): when their agent goes offline they go back
  // to the queue instead of waiting for the agent's return.
  std::set<ChannelKind> live_kinds = {ChannelKind::webchat, ChannelKind::voice};
  bool voice_blocks_chat = true;            // an agent on a call gets no new chats
  bool manual_pick = true;                  // agents may pick queued conversations themselves
  std::int64_t reservation_timeout_ms = 0;  // 0 = assign directly, >0 = offer, then expire
  // After an agent finishes a conversation of one of these kinds (resolved, or the call ended),
  // they get nothing new of any kind for this long: time to write up the call (key
  // [routing.wrap_up], seconds per kind). Kinds not named: none.
  std::map<ChannelKind, std::int64_t> wrap_up_ms = {{ChannelKind::voice, 30 * kSecondMs}};

  const BusinessCalendar& calendar_for(Tier t) const;
  bool is_live(const ChannelKind& kind) const { return live_kinds.count(kind) != 0; }
  std::int64_t wrap_up_for(const ChannelKind& kind) const {
    const auto it = wrap_up_ms.find(kind);
    return it != wrap_up_ms.end() ? it->second : 0;
  }
  // The handbooks' defaults: P1-P4 table, A/S 7x24 dedicated, B 5x8 Mon-Fri 09-17 UTC.
  static Policy defaults();
};

// Thrown by parse_policy; what() names the offending key path, e.g. "routing.sla.P2.resolution".
struct PolicyError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Starts from Policy::defaults() and applies every key present; unknown keys are errors.
Policy parse_policy(const nlohmann::json& routing_table);
Policy parse_policy_json(std::string_view json_text);

}  // namespace omnigate::routing
