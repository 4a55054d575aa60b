#include "history.hpp"

#include "routing_specs/routing_specs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

namespace routing_sim {

using namespace omnigate;

namespace {

// A conversation's stay from joining the queue (created or reopened) to resolved or closed:
// one contact. Re-queues in between (agent offline, transfer) belong to the routing being
// replayed, not to the demand, so they do not start a new contact.
struct Episode {
  const ConversationRow* conversation = nullptr;
  UnixMs arrived = 0;
  UnixMs first_assigned = -1;
  UnixMs assigned_since = -1;  // currently in an assigned stretch that began then
  UnixMs held_ms = 0;          // time assigned, summed over the stretches
  UnixMs first_reply = -1;     // first agent message after the first assignment
  UnixMs ended = -1;           // resolved or closed; -1 = still open where history ends
};

// An assignment of one of a customer's conversations: the sticky agent of later contacts.
struct Assignment {
  UnixMs at = 0;
  std::string agent;
};

// The string under `key` of a JSON object; "" when the text is not such an object.
std::string json_string(const std::string& json, const char* key) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

routing::ConversationSpec to_spec(const ConversationRow& c) {
  return routing_specs::conversation_spec(
      {c.tier, c.priority, c.channel_kind, c.skills, c.account_team, c.account_manager});
}

struct Derived {
  std::vector<Episode> episodes;                             // by arrival
  std::map<store::Id, std::vector<Assignment>> by_customer;  // by time
};

Derived derive_episodes(const HistoryRows& rows,
                        const std::map<store::Id, const ConversationRow*>& conversations) {
  Derived out;
  std::map<store::Id, Episode> open;
  for (const auto& ev : rows.events) {
    const auto conv = conversations.find(ev.conversation_id);
    if (conv == conversations.end()) continue;
    const auto it = open.find(ev.conversation_id);
    Episode* episode = it == open.end() ? nullptr : &it->second;
    const auto stop_holding = [&ev](Episode& e) {
      if (e.assigned_since < 0) return;
      e.held_ms += std::max<UnixMs>(0, ev.at - e.assigned_since);
      e.assigned_since = -1;
    };
    if (ev.kind == "conversation.queued" || ev.kind == "conversation.reopened") {
      if (!episode)
        open[ev.conversation_id] = Episode{conv->second, ev.at};
      else
        stop_holding(*episode);  // put back to the queue during the contact
    } else if (ev.kind == "conversation.requeued") {
      if (episode) stop_holding(*episode);
    } else if (ev.kind == "conversation.assigned") {
      const auto agent = json_string(ev.data_json, "agent");
      if (!agent.empty()) out.by_customer[conv->second->customer_id].push_back({ev.at, agent});
      if (episode) {
        if (episode->first_assigned < 0) episode->first_assigned = ev.at;
        if (episode->assigned_since < 0) episode->assigned_since = ev.at;
      }
    } else if (ev.kind == "message.sent") {
      if (episode && episode->first_assigned >= 0 && episode->first_reply < 0)
        episode->first_reply = ev.at;
    } else if (ev.kind == "conversation.resolved" || ev.kind == "conversation.closed") {
      if (!episode) continue;
      stop_holding(*episode);
      episode->ended = ev.at;
      out.episodes.push_back(*episode);
      open.erase(it);
    }
  }
  // Still open where the history ends: held for as long as observed.
  for (auto& [id, e] : open) {
    if (e.assigned_since >= 0)
      e.held_ms += std::max<UnixMs>(0, rows.last_activity - e.assigned_since);
    out.episodes.push_back(e);
  }
  std::stable_sort(out.episodes.begin(), out.episodes.end(),
                   [](const Episode& x, const Episode& y) { return x.arrived < y.arrived; });
  for (auto& [customer, list] : out.by_customer)
    std::stable_sort(list.begin(), list.end(),
                     [](const Assignment& x, const Assignment& y) { return x.at < y.at; });
  return out;
}

// The customer's last agent before `at`, as the store records it for sticky routing.
std::optional<std::string> previous_agent(const std::vector<Assignment>* assignments, UnixMs at) {
  if (!assignments) return std::nullopt;
  const auto later = std::lower_bound(assignments->begin(), assignments->end(), at,
                                      [](const Assignment& a, UnixMs t) { return a.at < t; });
  if (later == assignments->begin()) return std::nullopt;
  return std::prev(later)->agent;
}

// Presence over the window, from the audited presence changes ("agent.presence").
void add_roster(const HistoryRows& rows, const ReplayWindow& window, Replay& replay) {
  std::map<std::string, std::vector<std::pair<UnixMs, routing::Presence>>> changes;
  for (const auto& row : rows.presence) {
    if (row.object.rfind("agent:", 0) != 0) continue;
    const auto presence = routing::presence_from_string(json_string(row.detail_json, "presence"));
    if (presence) changes[row.object.substr(6)].emplace_back(row.at, *presence);
  }
  // What the gateway's engine refuses, the gateway leaves out (and logs); so does the replay.
  routing::Engine probe(routing::Policy::defaults());
  for (const auto& agent : rows.agents) {
    auto spec = routing_specs::agent_spec(agent);
    if (!probe.upsert_agent(spec, window.from)) {
      ++replay.summary.unroutable_agents;
      continue;
    }
    replay.day.agents.push_back(std::move(spec));
    auto& mine = changes[agent.id];
    std::stable_sort(mine.begin(), mine.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    // At the window's start: the last audited change before it; else the stored presence if
    // it has not changed since before the window; else (unknown) online.
    std::optional<routing::Presence> initial;
    for (const auto& [at, p] : mine)
      if (at <= window.from) initial = p;
    if (!initial && agent.presence_since <= window.from)
      initial = routing::presence_from_string(store::to_string(agent.presence));
    if (!initial) {
      initial = routing::Presence::online;
      if (mine.empty()) ++replay.summary.agents_without_presence;
    }
    replay.day.presence.push_back({window.from, agent.id, *initial});
    for (const auto& [at, p] : mine)
      if (at > window.from && at < window.to) replay.day.presence.push_back({at, agent.id, p});
  }
  std::stable_sort(replay.day.presence.begin(), replay.day.presence.end(),
                   [](const PresenceChange& x, const PresenceChange& y) { return x.at < y.at; });
}

}  // namespace

Replay replay_from_history(const HistoryRows& rows, const ReplayWindow& requested,
                           const ContactTimes& fallback) {
  std::map<store::Id, const ConversationRow*> conversations;
  for (const auto& c : rows.conversations) conversations[c.id] = &c;
  const Derived derived = derive_episodes(rows, conversations);

  ReplayWindow window = requested;
  if (window.from == 0)
    window.from = derived.episodes.empty() ? rows.last_activity : derived.episodes.front().arrived;
  if (window.to == 0) window.to = rows.last_activity + 1;
  if (window.to <= window.from)
    throw std::invalid_argument("the replay window is empty (--to must be after --from)");

  Replay replay;
  replay.day.start = window.from;
  replay.day.end = window.to;

  // Contacts of the window with their engine view; the gateway leaves out (and logs) what its
  // engine refuses, and so does the replay.
  std::vector<std::pair<const Episode*, routing::ConversationSpec>> in_window;
  routing::Engine probe(routing::Policy::defaults());
  routing::ConversationId next_id = 1;
  // Means over the window's contacts that show them, per channel kind: for those that do not.
  std::map<routing::ChannelKind, double> handle_sum, reply_sum;
  std::map<routing::ChannelKind, int> handled, replied;
  for (const auto& e : derived.episodes) {
    if (e.arrived < window.from || e.arrived >= window.to) continue;
    auto spec = to_spec(*e.conversation);
    spec.id = next_id;  // one per contact: a conversation reopened in the window counts twice
    spec.arrived_at = e.arrived;
    if (!probe.enqueue(spec, e.arrived) || !probe.remove(spec.id, e.arrived)) {
      ++replay.summary.unroutable;
      continue;
    }
    ++next_id;
    const auto k = spec.channel;
    in_window.emplace_back(&e, std::move(spec));
    if (e.first_assigned < 0 || e.ended < 0) continue;
    handle_sum[k] += static_cast<double>(e.held_ms);
    ++handled[k];
    if (e.first_reply >= 0) {
      reply_sum[k] += static_cast<double>(e.first_reply - e.first_assigned);
      ++replied[k];
    }
  }

  const double default_patience = fallback.patience_minutes * 60000.0;
  auto& summary = replay.summary;
  for (auto& [e, spec] : in_window) {
    const auto channel = spec.channel;
    const auto& k = channel;
    const bool live = live_channel(channel);
    Arrival a;
    a.spec = std::move(spec);
    const auto customer = derived.by_customer.find(e->conversation->customer_id);
    a.spec.previous_agent = previous_agent(
        customer == derived.by_customer.end() ? nullptr : &customer->second, e->arrived);
    if (e->first_assigned >= 0) {
      a.handle_ms = static_cast<double>(e->held_ms);
      a.reply_ms = e->first_reply >= 0 ? static_cast<double>(e->first_reply - e->first_assigned)
                   : live              ? 0.0
                                       : -1.0;  // resolved without a written answer
      // They waited that long at least, so their patience was no shorter.
      a.patience_ms =
          std::max(static_cast<double>(e->first_assigned - e->arrived), default_patience);
      ++(e->ended >= 0 ? summary.resolved : summary.open_at_end);
    } else {
      a.handle_ms =
          handled[k] ? handle_sum[k] / handled[k] : fallback.handle_minutes_of(k) * 60000.0;
      a.reply_ms = replied[k] ? reply_sum[k] / replied[k] : assumed_reply_ms(channel, a.handle_ms);
      if (live && e->ended >= 0) {
        a.patience_ms = static_cast<double>(e->ended - e->arrived);  // hung up / left the chat
        ++summary.abandoned;
      } else {
        a.patience_ms =
            std::max(static_cast<double>(rows.last_activity - e->arrived), default_patience);
        ++summary.never_assigned;
      }
    }
    ++summary.contacts;
    ++summary.per_tier[static_cast<std::size_t>(a.spec.tier)];
    replay.day.arrivals.push_back(std::move(a));
  }
  add_roster(rows, window, replay);
  return replay;
}

}  // namespace routing_sim
