#include "simulation.hpp"

#include <algorithm>
#include <chrono>
#include <queue>

namespace routing_sim {

using namespace omnigate::routing;

namespace {

using TimedId = std::pair<UnixMs, ConversationId>;
using MinHeap = std::priority_queue<TimedId, std::vector<TimedId>, std::greater<>>;

void check(const Status& s) {
  // The simulator only issues operations the engine must accept; anything else is a bug.
  if (!s) throw std::logic_error("routing-sim: engine refused an operation: " + s.error);
}

}  // namespace

SimResult simulate(const Day& day, const Policy& policy, UnixMs step_ms) {
  const auto wall_start = std::chrono::steady_clock::now();
  SimResult result;
  Engine engine(policy);
  for (const auto& a : day.agents) {
    check(engine.upsert_agent(a, day.start));
    result.agents[a.id].team = a.team;
  }
  std::size_t next_presence = 0;
  std::map<ConversationId, std::size_t> index;  // conversation -> arrival / outcome index
  result.outcomes.resize(day.arrivals.size());
  MinHeap finishes, replies, patience;
  // A conversation re-queued (its agent went offline) and picked up again finishes on its
  // latest assignment's schedule only.
  std::map<ConversationId, UnixMs> finish_at;
  std::size_t next_arrival = 0;
  for (UnixMs now = day.start; now <= day.end; now += step_ms) {
    for (; next_presence < day.presence.size() && day.presence[next_presence].at <= now;
         ++next_presence) {
      const auto& change = day.presence[next_presence];
      check(engine.set_presence(change.agent, change.presence, now));
    }
    while (next_arrival < day.arrivals.size() &&
           day.arrivals[next_arrival].spec.arrived_at <= now) {
      const auto& a = day.arrivals[next_arrival];
      check(engine.enqueue(a.spec, now));
      auto& o = result.outcomes[next_arrival];
      o.tier = a.spec.tier;
      o.priority = a.spec.priority;
      o.arrived = a.spec.arrived_at;
      o.first_response_due = engine.sla_deadlines(a.spec.id)->first_response_due;
      index[a.spec.id] = next_arrival;
      if (live_channel(a.spec.channel))
        patience.emplace(a.spec.arrived_at + static_cast<UnixMs>(a.patience_ms), a.spec.id);
      ++next_arrival;
    }
    while (!patience.empty() && patience.top().first <= now) {
      const auto id = patience.top().second;
      patience.pop();
      const auto view = engine.conversation(id);
      if (view && view->state == ConversationState::queued) {
        check(engine.remove(id, now));
        result.outcomes[index[id]].abandoned = true;
      }
    }
    while (!replies.empty() && replies.top().first <= now) {
      const auto id = replies.top().second;
      replies.pop();
      if (engine.conversation(id)) {
        check(engine.record_first_response(id, now));
        result.outcomes[index[id]].first_response = now;
      }
    }
    while (!finishes.empty() && finishes.top().first <= now) {
      const auto id = finishes.top().second;
      finishes.pop();
      const auto view = engine.conversation(id);
      if (!view || view->state == ConversationState::queued || finish_at[id] > now) continue;
      check(engine.finish(id, now));
    }
    for (const auto& ev : engine.advance(now)) ++result.timer_events[ev.kind];
    for (const auto& d : engine.dispatch(now)) {
      ++result.decisions;
      if (d.kind == DecisionKind::offer) check(engine.accept(d.agent, d.conversation, now));
      const std::size_t i = index[d.conversation];
      auto& o = result.outcomes[i];
      const auto& a = day.arrivals[i];
      if (o.answered < 0) o.answered = now;
      ++result.agents[d.agent].handled;
      if (o.first_response < 0 && a.reply_ms >= 0)
        replies.emplace(now + static_cast<UnixMs>(a.reply_ms), d.conversation);
      finish_at[d.conversation] = now + std::max<UnixMs>(step_ms, static_cast<UnixMs>(a.handle_ms));
      finishes.emplace(finish_at[d.conversation], d.conversation);
    }
    for (auto& [id, usage] : result.agents) {
      const auto view = engine.agent(id);
      if (view->presence == Presence::offline) continue;
      usage.online_ms += step_ms;
      if (view->total_load > 0) usage.busy_ms += step_ms;
    }
  }
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace routing_sim
