// The supervisor console's live queue (GET /api/v1/queue, the stream's "snapshot"): waiting
// conversations with team, tier, priority, offer and SLA time left, and the counts per team,
// tier and priority a wallboard shows. Shapes in docs/api.md "Live queue".
#pragma once

#include "api/live_filter.hpp"
#include "api/routing_dispatcher.hpp"
#include "store/model.hpp"

#include <omnigate/routing/calendar.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace omnigate::api {

// Sets q's first_response_due, first_response_ms_left and sla_state at `now` for a deadline
// `due` (0 = none) on the tier's `calendar`: time left counts only service hours (negative:
// service time since the breach), while "warning" / "breached" start at the instants the engine
// raises sla.first_response_warning / _breach (due - warn_before_ms, due).
void set_first_response_sla(QueuedConversation& q, store::UnixMs due,
                            const routing::BusinessCalendar& calendar, std::int64_t warn_before_ms,
                            store::UnixMs now);

// One waiting conversation; `now` gives its wait so far.
nlohmann::json waiting_json(const QueuedConversation& q, store::UnixMs now);

// The waiting conversations that pass `filter` and their aggregates: {"at", "queued": [...],
// "aggregates": {...}, "by_tier_priority": [...]}.
nlohmann::json queue_view_json(const LiveView& view, const LiveFilter& filter);

// One agent as GET /agents lists it and GET /agents/{id} returns it: the stored profile
// (agent_json) with the engine's view of it: load, total_load, routing_presence ("wrap_up"
// during a wrap-up) and wrap_up_until (ms or null); null presence when the engine has no such
// agent (not routable).
nlohmann::json agent_view_json(const store::Agent& agent, const std::vector<AgentLoad>& loads);

// The stored agent profiles as agent_view_json, those passing `filter` (a team filter keeps
// that team's agents, an agent filter that agent).
nlohmann::json agents_json(const std::vector<store::Agent>& stored,
                           const std::vector<AgentLoad>& loads, const LiveFilter& filter);

// The stream's first message: {"type": "snapshot", "seq", "at", "queue": queue_view_json,
// "agents": agents_json}. `seq` is the last event it already reflects.
std::string snapshot_message(const LiveView& view, const std::vector<store::Agent>& agents,
                             const LiveFilter& filter, std::uint64_t seq);

}  // namespace omnigate::api
