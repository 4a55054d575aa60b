#include "api/live_filter.hpp"

#include <algorithm>

namespace omnigate::api {

namespace {

Parsed<LiveFilter> invalid(std::string field, std::string message) {
  Parsed<LiveFilter> p;
  p.error = {400, "invalid_field", std::move(message), std::move(field)};
  return p;
}

bool printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

}  // namespace

Parsed<LiveFilter> parse_live_filter(const http::Request& req) {
  LiveFilter f;
  if (auto team = req.query_param("team")) {
    if (team->empty() || team->size() > kMaxTeamNameBytes || !printable(*team))
      return invalid("team", "team must be a team name of 1.." + std::to_string(kMaxTeamNameBytes) +
                                 " printable characters");
    f.team = std::move(*team);
  }
  if (auto tier = req.query_param("tier")) {
    if (*tier != "S" && *tier != "A" && *tier != "B" && *tier != "C")
      return invalid("tier", "tier must be one of S, A, B, C");
    f.tier = std::move(*tier);
  }
  if (auto priority = req.query_param("priority")) {
    if (priority->size() != 1 || (*priority)[0] < '1' || (*priority)[0] > '4')
      return invalid("priority", "priority must be 1, 2, 3 or 4");
    f.priority = (*priority)[0] - '0';
  }
  Parsed<LiveFilter> p;
  p.value = std::move(f);
  return p;
}

bool passes(const LiveFilter& f, const dispatch::QueuedConversation& q) {
  if (f.team && !q.team.empty() && q.team != *f.team) return false;
  if (f.tier && q.tier != *f.tier) return false;
  if (f.priority && q.priority != *f.priority) return false;
  if (f.agent && (q.state != "offered" || q.offered_to != *f.agent)) return false;
  return true;
}

bool passes(const LiveFilter& f, const dispatch::LiveEvent& e) {
  if (f.agent && e.agent != *f.agent) return false;
  if (e.conversation_id == 0) return !f.team || e.agent_team == *f.team;
  // "" = open to any team, so in every team's view.
  const auto in_view = [&f](const std::string& team) { return team.empty() || team == *f.team; };
  if (f.team && !in_view(e.team) && !(e.previous_team && in_view(*e.previous_team))) return false;
  if (f.tier && e.tier != *f.tier) return false;
  if (f.priority && e.priority != *f.priority) return false;
  return true;
}

}  // namespace omnigate::api
