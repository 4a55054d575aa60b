#include "api/supervisor_view.hpp"

#include "api/json_views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace omnigate::api {

namespace {

using nlohmann::json;

json or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}
json or_null(store::UnixMs t) {
  return t == 0 ? json(nullptr) : json(t);
}

// Counts and the oldest wait of one group of waiting conversations.
struct Group {
  int count = 0;
  int breached = 0;
  int warning = 0;
  store::UnixMs oldest_queued_at = 0;

  void add(const dispatch::QueuedConversation& q) {
    count += 1;
    breached += q.sla_state == "breached";
    warning += q.sla_state == "warning";
    if (oldest_queued_at == 0 || q.queued_at < oldest_queued_at) oldest_queued_at = q.queued_at;
  }
  json to_json(store::UnixMs now) const {
    return {{"count", count},
            {"breached", breached},
            {"warning", warning},
            {"oldest_queued_at", or_null(oldest_queued_at)},
            {"oldest_wait_ms", count == 0 ? json(nullptr) : json(now - oldest_queued_at)}};
  }
};

template <class Key, class Name>
json groups_json(const std::map<Key, Group>& groups, const char* key_name, store::UnixMs now,
                 Name name) {
  json out = json::array();
  for (const auto& [key, g] : groups) {
    json j = g.to_json(now);
    j[key_name] = name(key);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

json waiting_json(const dispatch::QueuedConversation& q, store::UnixMs now) {
  json overflow = nullptr;
  if (q.overflow_at != 0)
    overflow = {{"at", q.overflow_at}, {"to", q.overflow_teams}, {"active", now >= q.overflow_at}};
  json offer = nullptr;
  if (q.state == "offered")
    offer = {{"agent", q.offered_to}, {"expires_at", or_null(q.offer_expires_at)}};
  return {{"conversation_id", q.conversation_id},
          {"state", q.state},
          {"team", or_null(q.team)},
          {"overflow", overflow},
          {"tier", q.tier},
          {"priority", q.priority},
          {"channel_kind", q.channel_kind},
          {"queued_at", q.queued_at},
          {"waiting_ms", now - q.queued_at},
          {"first_response_due", or_null(q.first_response_due)},
          {"first_response_ms_left",
           q.first_response_ms_left ? json(*q.first_response_ms_left) : json(nullptr)},
          {"sla_state", q.sla_state},
          {"offer", offer}};
}

json queue_view_json(const dispatch::LiveView& view, const LiveFilter& filter) {
  const auto now = view.at;
  Group all;
  std::map<std::string, Group> by_team;
  std::map<std::string, Group> by_tier;
  std::map<int, Group> by_priority;
  // The least first-response time left per (tier, priority): the bucket's most urgent one.
  std::map<std::pair<std::string, int>, std::pair<int, std::optional<std::int64_t>>> buckets;
  json list = json::array();
  for (const auto& q : view.waiting) {
    if (!passes(filter, q)) continue;
    all.add(q);
    by_team[q.team].add(q);
    by_tier[q.tier].add(q);
    by_priority[q.priority].add(q);
    auto& [n, least] = buckets[{q.tier, q.priority}];
    n += 1;
    if (q.first_response_ms_left)
      least = least ? std::min(*least, *q.first_response_ms_left) : *q.first_response_ms_left;
    list.push_back(waiting_json(q, now));
  }
  json aggregates = all.to_json(now);
  aggregates["by_team"] =
      groups_json(by_team, "team", now, [](const std::string& t) { return or_null(t); });
  aggregates["by_tier"] =
      groups_json(by_tier, "tier", now, [](const std::string& t) { return json(t); });
  aggregates["by_priority"] =
      groups_json(by_priority, "priority", now, [](int p) { return json(p); });
  json by_bucket = json::array();
  for (const auto& [key, v] : buckets)
    by_bucket.push_back({{"tier", key.first},
                         {"priority", key.second},
                         {"count", v.first},
                         {"sla_ms_left", v.second ? json(*v.second) : json(nullptr)}});
  return {{"at", now},
          {"queued", std::move(list)},
          {"aggregates", std::move(aggregates)},
          {"by_tier_priority", std::move(by_bucket)}};
}

json agent_view_json(const store::Agent& agent, const std::vector<dispatch::AgentLoad>& loads) {
  json j = agent_json(agent);
  j["load"] = json::object();
  j["total_load"] = 0;
  j["routing_presence"] = nullptr;  // not routable (no profile in the engine)
  j["wrap_up_until"] = nullptr;
  for (const auto& l : loads) {
    if (l.agent_id != agent.id) continue;
    j["load"] = l.load;
    j["total_load"] = l.total_load;
    j["routing_presence"] = l.presence;
    if (l.wrap_up_until) j["wrap_up_until"] = *l.wrap_up_until;
  }
  return j;
}

json agents_json(const std::vector<store::Agent>& stored,
                 const std::vector<dispatch::AgentLoad>& loads, const LiveFilter& filter) {
  json out = json::array();
  for (const auto& a : stored) {
    if (filter.team && a.team != *filter.team) continue;
    if (filter.agent && a.id != *filter.agent) continue;
    out.push_back(agent_view_json(a, loads));
  }
  return out;
}

std::string snapshot_message(const dispatch::LiveView& view,
                             const std::vector<store::Agent>& agents, const LiveFilter& filter,
                             std::uint64_t seq) {
  return json{{"type", "snapshot"},
              {"seq", seq},
              {"at", view.at},
              {"queue", queue_view_json(view, filter)},
              {"agents", agents_json(agents, view.agents, filter)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace omnigate::api
