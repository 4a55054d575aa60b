// Which part of the live queue and of the event stream a client asks for (?team=&tier=&priority=
// on GET /api/v1/queue and GET /api/v1/stream; agents' streams are narrowed to their own agent).
// Query strings are untrusted: parse_live_filter is fuzzed (tests/fuzz/live_filter).
#pragma once

#include "api/request_body.hpp"
#include "dispatch/live_event.hpp"
#include "dispatch/queued_conversation.hpp"
#include "http/http_types.hpp"

#include <optional>
#include <string>

namespace omnigate::api {

inline constexpr std::size_t kMaxTeamNameBytes = 100;

struct LiveFilter {
  std::optional<std::string> team;   // conversations waiting for this team or for any team
  std::optional<std::string> tier;   // "S" | "A" | "B" | "C"
  std::optional<int> priority;       // 1..4
  std::optional<std::string> agent;  // only what concerns this agent (set for role agent)
};

// team: 1..100 printable bytes; tier: S, A, B or C; priority: 1..4. Other parameters are left
// to the endpoint. The error names the parameter.
Parsed<LiveFilter> parse_live_filter(const http::Request& req);

// A waiting conversation passes when every set field agrees; a conversation open to any team
// (team "") passes every team filter, and `agent` passes only its own offers.
bool passes(const LiveFilter& f, const dispatch::QueuedConversation& q);
// Conversation events pass like their conversation (a transfer also passes the team it left);
// agent events pass a team filter by the agent's team, and tier/priority filters always.
bool passes(const LiveFilter& f, const dispatch::LiveEvent& e);

}  // namespace omnigate::api
