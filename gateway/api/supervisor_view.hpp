// The supervisor console's live queue (GET /api/v1/queue, the stream's "snapshot"): waiting
// conversations with team, tier, priority, offer and SLA time left, and the counts per team,
// tier and priority a wallboard shows. Shapes in docs/api.md "Live queue".
#pragma once

#include "api/live_filter.hpp"
#include "dispatch/live_view.hpp"
#include "store/model.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace omnigate::api {

// One waiting conversation; `now` gives its wait so far.
nlohmann::json waiting_json(const dispatch::QueuedConversation& q, store::UnixMs now);

// The waiting conversations that pass `filter` and their aggregates: {"at", "queued": [...],
// "aggregates": {...}, "by_tier_priority": [...]}.
nlohmann::json queue_view_json(const dispatch::LiveView& view, const LiveFilter& filter);

// One agent as GET /agents lists it and GET /agents/{id} returns it: the stored profile
// (agent_json) with the engine's view of it: load, total_load, routing_presence ("wrap_up"
// during a wrap-up) and wrap_up_until (ms or null); null presence when the engine has no such
// agent (not routable).
nlohmann::json agent_view_json(const store::Agent& agent,
                               const std::vector<dispatch::AgentLoad>& loads);

// The stored agent profiles as agent_view_json, those passing `filter` (a team filter keeps
// that team's agents, an agent filter that agent).
nlohmann::json agents_json(const std::vector<store::Agent>& stored,
                           const std::vector<dispatch::AgentLoad>& loads, const LiveFilter& filter);

// The stream's first message: {"type": "snapshot", "seq", "at", "queue": queue_view_json,
// "agents": agents_json}. `seq` is the last event it already reflects.
std::string snapshot_message(const dispatch::LiveView& view,
                             const std::vector<store::Agent>& agents, const LiveFilter& filter,
                             std::uint64_t seq);

}  // namespace omnigate::api
