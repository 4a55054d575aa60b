// One waiting conversation as the dispatcher tracks it and the supervisors' queue view shows it,
// and its first-response SLA state at an instant.
#pragma once

#include "store/model.hpp"

#include <omnigate/routing/calendar.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::dispatch {

struct QueuedConversation {
  store::Id conversation_id = 0;
  std::string tier;  // "S" | "A" | "B" | "C"
  int priority = 4;  // 1..4
  std::string channel_kind;
  std::string channel_instance;  // the plugin instance it came through
  store::UnixMs queued_at = 0;
  store::UnixMs first_response_due = 0;  // 0 = none
  // Filled by live_view() (LiveView::at is "now"):
  std::string state = "queued";   // "queued" | "offered"
  std::string team;               // home team it waits for ("" = any team)
  store::UnixMs overflow_at = 0;  // other teams may take it from then on (0 = never)
  std::vector<std::string> overflow_teams;
  std::string offered_to;              // state "offered": the agent holding the reservation...
  store::UnixMs offer_expires_at = 0;  // ...until then (0 = no expiry)
  // First-response service time left on the tier's business calendar (negative: service time
  // since the breach); unset without a deadline.
  std::optional<std::int64_t> first_response_ms_left;
  // "none" | "ok" | "warning" (within the policy's warning lead) | "breached"
  std::string sla_state = "none";
};

// Sets q's first_response_due, first_response_ms_left and sla_state at `now` for a deadline
// `due` (0 = none) on the tier's `calendar`: time left counts only service hours (negative:
// service time since the breach), while "warning" / "breached" start at the instants the engine
// raises sla.first_response_warning / _breach (due - warn_before_ms, due).
void set_first_response_sla(QueuedConversation& q, store::UnixMs due,
                            const routing::BusinessCalendar& calendar, std::int64_t warn_before_ms,
                            store::UnixMs now);

}  // namespace omnigate::dispatch
