// The routing engine: the public Engine's operations and the routing rules that tie its parts
// together. Each part has one job and its own file (see docs/routing.md, "Engine internals"):
//  - name_table: skills, teams and channel kinds interned to dense ids, so per-kind capacity
//    and load are small arrays indexed by id;
//  - eligibility + candidate_index: who can take what; agents with free capacity in ordered
//    sets keyed by (team, skill), so a conversation walks only the set of its rarest skill;
//  - conversation_queue + queue_band: the queue by (band, SLA deadline, arrival, id), where
//    band = priority x tier minus ageing promotions (re-keyed by a heap of promotion times
//    here), mirrored per (first required skill, channel kind);
//  - timer_heap + sla_timers: timers in a min-heap with generation numbers instead of being
//    searched or erased, and the SLA rules behind them (sla.cpp computes the deadlines);
//  - explain_text: reasons in words, built only when read.
// So one decision never scans all agents or all waiting conversations.
#include "omnigate/routing/engine.hpp"

#include "candidate_index.hpp"
#include "conversation_queue.hpp"
#include "eligibility.hpp"
#include "engine_records.hpp"
#include "explain_text.hpp"
#include "name_table.hpp"
#include "node_pool.hpp"
#include "queue_band.hpp"
#include "sla_timers.hpp"
#include "timer_heap.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace omnigate::routing {

const char* to_string(DecisionKind k) {
  return k == DecisionKind::offer ? "offer" : "assign";
}

const char* to_string(TimerKind k) {
  switch (k) {
    case TimerKind::first_response_warning:
      return "first_response_warning";
    case TimerKind::first_response_breach:
      return "first_response_breach";
    case TimerKind::resolution_warning:
      return "resolution_warning";
    case TimerKind::resolution_breach:
      return "resolution_breach";
    case TimerKind::resolution_max_breach:
      return "resolution_max_breach";
    case TimerKind::escalation:
      return "escalation";
    case TimerKind::progress_reminder:
      return "progress_reminder";
    case TimerKind::reservation_expired:
      return "reservation_expired";
  }
  return "?";
}

std::optional<TimerKind> timer_kind_from_string(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(TimerKind::reservation_expired); ++i) {
    const auto k = static_cast<TimerKind>(i);
    if (name == to_string(k)) return k;
  }
  return std::nullopt;
}

const char* to_string(ConversationState s) {
  switch (s) {
    case ConversationState::queued:
      return "queued";
    case ConversationState::offered:
      return "offered";
    case ConversationState::assigned:
      return "assigned";
    case ConversationState::waiting_customer:
      return "waiting_customer";
  }
  return "?";
}

struct Engine::State {
  // Every node of the queue sets and candidate lists comes from here (see node_pool.hpp).
  // Declared first: destroyed after every container that uses it.
  NodePool node_pool;
  Policy policy;
  std::vector<AgentRec> agents;
  std::unordered_map<AgentId, int> agent_by_id;
  NameTable skill_names, team_names;
  Eligibility eligibility;  // the voice kinds are set once interned (constructor)
  CandidateIndex candidates{&node_pool, agents, eligibility, policy.selection};
  // Channel kinds by id: name, the capacity of agents that do not name it, live or not.
  NameTable kind_names;
  std::vector<int> kind_default_cap;
  std::vector<char> kind_live;

  std::unordered_map<ConversationId, ConvRec> convs;
  WaitingQueue queue{&node_pool};
  TimerHeap timers;
  std::priority_queue<std::pair<UnixMs, ConversationId>,
                      std::vector<std::pair<UnixMs, ConversationId>>, std::greater<>>
      promotions;
  // (when, conversation): the moments a conversation's reachable agents widen (bullseye,
  // overflow, end of a sticky or reserved wait).
  std::priority_queue<std::pair<UnixMs, ConversationId>,
                      std::vector<std::pair<UnixMs, ConversationId>>, std::greater<>>
      wakeups;
  // (until, agent): the ends of wrap-ups. Entries an earlier end or going online made stale are
  // skipped (the agent's wrap_up_until no longer matches).
  std::priority_queue<std::pair<UnixMs, int>, std::vector<std::pair<UnixMs, int>>, std::greater<>>
      wrap_up_ends;
  // What changed since the last dispatch. Between dispatches the state is stable (no queued
  // conversation fits any free agent), so only these can produce new matches.
  std::vector<int> dirty_agents;
  std::vector<char> agent_dirty;
  std::vector<ConversationId> dirty_convs;
  // Scratch buffers of a dispatch pass, members so that their capacity is reused: once grown,
  // a pass allocates nothing for them (allocation was a fifth of a pass's instructions).
  std::vector<int> walk_subs;
  std::vector<int> changed_agents;
  std::vector<ConversationId> changed_convs;
  std::vector<WaitingQueue::Key> fresh_keys;

  explicit State(Policy p) : policy(std::move(p)) {
    // The bundled kinds first, in a fixed order, then the others the policy names.
    for (const auto& k :
         {ChannelKind::sms, ChannelKind::email, ChannelKind::webchat, ChannelKind::voice})
      kind_id(k);
    for (const auto& [k, cap] : policy.capacity.per_kind) kind_id(k);
    for (const auto& k : policy.live_kinds) kind_id(k);
    eligibility.voice_blocks_chat = policy.voice_blocks_chat;
    eligibility.voice_kind = kind_id(ChannelKind::voice);
    eligibility.webchat_kind = kind_id(ChannelKind::webchat);
  }

  // ---------- interning ----------
  int skill_id(const std::string& s) {
    const int id = skill_names.intern(s);
    candidates.make_room(skill_names.size(), team_names.size());
    queue.make_room(skill_names.size(), kind_names.size());
    return id;
  }

  // The id of a (non-empty) channel kind; a kind seen for the first time gets its policy
  // budget in every agent, which may open room in their candidate keys.
  int kind_id(const ChannelKind& kind) {
    const int known = kind_names.size();
    const int id = kind_names.intern(kind.name());
    if (id < known) return id;
    kind_default_cap.push_back(policy.capacity.for_kind(kind));
    kind_live.push_back(policy.is_live(kind) ? 1 : 0);
    queue.make_room(skill_names.size(), kind_names.size());
    for (int ai = 0; ai < static_cast<int>(agents.size()); ++ai) {
      agents[ai].kinds.push_back({kind_default_cap[id], 0});
      candidates.rekey(ai);  // its candidate keys gain the new kind's bit
    }
    return id;
  }

  int team_id(const std::string& t) {
    const int id = team_names.intern(t);
    candidates.make_room(skill_names.size(), team_names.size());
    return id;
  }
  std::string_view team_name(int t) const {
    return t == kNone ? std::string_view("any team") : std::string_view(team_names.name(t));
  }

  int find_agent(const AgentId& id) const {
    const auto it = agent_by_id.find(id);
    return it == agent_by_id.end() ? kNone : it->second;
  }
  ConvRec* find_conv(ConversationId id) {
    const auto it = convs.find(id);
    return it == convs.end() ? nullptr : &it->second;
  }

  // ---------- candidate sets ----------
  // The groups a conversation homed in `team` may be routed to: the team, or any team, and
  // the teams it overflows to.
  void build_groups_for(int team) {
    candidates.build_group(team);
    if (team == kNone) return;
    const auto it = policy.teams.find(team_names.name(team));
    if (it == policy.teams.end()) return;
    for (const auto& name : it->second.overflow_to) candidates.build_group(team_id(name));
  }

  void mark_dirty(int ai) {
    if (agent_dirty.size() <= static_cast<std::size_t>(ai)) agent_dirty.resize(agents.size(), 0);
    if (agent_dirty[ai]) return;
    agent_dirty[ai] = 1;
    dirty_agents.push_back(ai);
  }

  // Changes an agent's load or presence while keeping the candidate sets consistent.
  template <class Change>
  void update_agent(int ai, Change&& change) {
    change(agents[ai]);
    candidates.rekey(ai);
  }

  // ---------- eligibility ----------
  int current_level_drop(const ConvRec& c, UnixMs now) const {
    return level_drop(c.spec.arrived_at, now);
  }

  int level_drop(UnixMs arrived_at, UnixMs now) const {
    int drop = 0;
    for (const auto& step : policy.bullseye)
      if (now - arrived_at >= step.after_ms) drop = step.level_drop;
    return drop;
  }

  bool overflow_open(const ConvRec& c, UnixMs now) const {
    if (c.home_team == kNone) return false;
    const auto it = policy.teams.find(team_names.name(c.home_team));
    return it != policy.teams.end() && it->second.overflow_after_ms > 0 &&
           now - c.spec.arrived_at >= it->second.overflow_after_ms;
  }

  // Calls `visit` with the home team, then each overflow team once overflow is open.
  template <class Visit>
  void for_each_pool_team(const ConvRec& c, UnixMs now, Visit&& visit) const {
    visit(c.home_team);
    if (!overflow_open(c, now)) return;
    for (const auto& name : policy.teams.at(team_names.name(c.home_team)).overflow_to) {
      const int team = team_names.find(name);
      if (team != kNone) visit(team);
    }
  }

  const TierPolicy& tier_policy(const ConvRec& c) const {
    return policy.tiers[static_cast<int>(c.spec.tier)];
  }

  bool sticky_window(const ConvRec& c, UnixMs now) const {
    return policy.sticky.enabled && c.spec.previous_agent &&
           now - c.spec.arrived_at < policy.sticky.wait_ms;
  }

  bool has_personal_route(const ConvRec& c, UnixMs now) const {
    const auto& tp = tier_policy(c);
    return sticky_window(c, now) || !c.declined.empty() ||
           (tp.named_manager && c.spec.account_manager) ||
           (tp.dedicated_group && c.account_team != kNone);
  }

  // The routing rules in order: the agent, or kNone and why the conversation waits.
  Choice choose(const ConvRec& c, UnixMs now) const {
    using Rule = Choice::Rule;
    const int drop = current_level_drop(c, now);
    const auto& tp = tier_policy(c);
    const UnixMs waited = now - c.spec.arrived_at;

    if (sticky_window(c, now)) {
      const int prev = find_agent(*c.spec.previous_agent);
      if (prev != kNone && eligibility.eligible_named(agents[prev], prev, c, drop))
        return {.rule = Rule::sticky, .agent = prev};
      if (prev != kNone && agents[prev].presence != Presence::offline &&
          !eligibility.declined(c, prev))
        return {.rule = Rule::sticky_wait, .named = prev};
    }
    const bool manager_route = tp.named_manager && c.spec.account_manager;
    if (manager_route) {
      const int m = find_agent(*c.spec.account_manager);
      if (m != kNone && eligibility.eligible_named(agents[m], m, c, drop))
        return {.rule = Rule::named_manager, .agent = m};
    }
    const bool group_route = tp.dedicated_group && c.account_team != kNone;
    if (group_route) {
      if (const auto e = candidates.best_in_team(c.account_team, c, drop))
        return {.rule = Rule::dedicated_group, .agent = e->agent, .team = c.account_team};
    }
    if ((manager_route || group_route) && waited < tp.preferred_wait_ms)
      return {.rule = Rule::reserved, .group = group_route};

    std::optional<CandidateKey> best;
    int best_team = kNone;
    for_each_pool_team(c, now, [&](int team) {
      const auto e = candidates.best_in_team(team, c, drop);
      if (e && (!best || *e < *best)) {
        best = e;
        best_team = team;
      }
    });
    if (!best) return {.rule = Rule::no_agent, .team = c.home_team, .drop = drop};
    return {.rule = Rule::pool,
            .agent = best->agent,
            .team = best_team,
            .drop = drop,
            .overflow = best_team != c.home_team};
  }

  std::string reason_text(const Choice& why, const ConvRec& c) const {
    const auto id = [&](int ai) { return ai == kNone ? std::string_view() : agents[ai].id; };
    ReasonWords words{.agent = id(why.agent),
                      .named = id(why.named),
                      .team = team_name(why.team),
                      .tier = c.spec.tier,
                      .selection = policy.selection,
                      .sticky_wait_ms = policy.sticky.wait_ms,
                      .preferred_wait_ms = tier_policy(c).preferred_wait_ms,
                      .given = c.given_reason,
                      .no_agent = {}};
    if (why.rule == Choice::Rule::no_agent)
      words.no_agent = no_agent_text(no_agent_facts(c, why.team, why.drop));
    return routing::reason_text(why, words);
  }

  // A transfer or manual pick: the decision's reason is the operator's action, in words.
  void give_by_hand(ConvRec& c, int ai, UnixMs now, std::string reason) {
    c.why = {.rule = Choice::Rule::given};
    c.given_reason = std::move(reason);
    give(c, ai, now, DecisionKind::assign);
  }

  // ---------- queue ----------
  static int start_band(const ConvRec& c) { return base_band(c.spec.priority, c.spec.tier); }

  // The ageing steps its wait has earned by `now`.
  int promotions_earned(const ConvRec& c, UnixMs now) const {
    return earned_promotions(policy.ageing, start_band(c), c.spec.arrived_at, now);
  }

  // `routable` = the conversation may now fit agents it did not before (new, re-queued,
  // moved); a pure re-ordering by ageing is not.
  void push_queue(ConvRec& c, bool routable = true) {
    c.state = ConversationState::queued;
    c.key.band = start_band(c) - c.promotions;
    c.key.deadline = c.deadlines.first_response_due;
    c.key.arrival = c.spec.arrived_at;
    c.key.id = c.spec.id;
    c.key.rec = &c;  // ConvRec lives in a node-based map: its address is stable
    c.key.first_skill_level =
        c.skills.empty() ? 0 : static_cast<std::uint8_t>(c.skills.front().second);
    c.key.more_skills = c.skills.size() > 1;
    c.queue_place = queue.insert(c.key, c.primary_skill, c.kind);
    c.in_queue = true;
    if (routable) dirty_convs.push_back(c.spec.id);
    schedule_promotion(c);
  }

  void pop_queue(ConvRec& c) {
    if (!c.in_queue) return;
    queue.erase(c.queue_place, c.primary_skill, c.kind);
    c.in_queue = false;
  }

  void schedule_promotion(ConvRec& c) {
    if (c.promotions >= max_promotions(policy.ageing, start_band(c))) {
      c.next_promotion_at = kNever;
      return;
    }
    c.next_promotion_at = c.spec.arrived_at + (c.promotions + 1) * policy.ageing.step_ms;
    promotions.emplace(c.next_promotion_at, c.spec.id);
  }

  void apply_promotions(UnixMs now) {
    while (!promotions.empty() && promotions.top().first <= now) {
      const auto [due, id] = promotions.top();
      promotions.pop();
      ConvRec* c = find_conv(id);
      if (!c || c->next_promotion_at != due) continue;
      // Every step that is due applies at once, also for conversations out of the queue,
      // so a re-queued conversation keeps the standing its wait has earned.
      c->promotions = promotions_earned(*c, now);
      if (c->in_queue) {
        pop_queue(*c);
        push_queue(*c, false);  // re-keys at the new band and schedules the next step
      } else {
        schedule_promotion(*c);
      }
    }
  }

  // Conversations whose reachable agents widened by `now` are routed again by the next pass.
  // Timer work: popping a heap of every conversation's wake-up times misses the cache at
  // each level, so advance() does it, not the decision pass.
  void collect_wakeups(UnixMs now) {
    while (!wakeups.empty() && wakeups.top().first <= now) {
      dirty_convs.push_back(wakeups.top().second);
      wakeups.pop();
    }
  }

  // ---------- assignment ----------
  void give(ConvRec& c, int ai, UnixMs now, DecisionKind kind) {
    pop_queue(c);
    update_agent(ai, [&](AgentRec& a) {
      ++a.kinds[c.kind].load;
      ++a.total_load;
      a.idle_since = now;
      a.last_offered_at = now;
      a.conversations.push_back(c.spec.id);
    });
    c.agent = ai;
    if (kind == DecisionKind::offer) {
      c.state = ConversationState::offered;
      c.offer_expires = now + policy.reservation_timeout_ms;
      timers.push(c.offer_expires, c.spec.id, TimerKind::reservation_expired, ++c.offer_gen);
    } else {
      c.state = ConversationState::assigned;
    }
  }

  // The policy's wrap-up for `kind` starts for the agent now (a longer one already running is
  // kept): out of the candidate sets until it ends.
  void start_wrap_up(int ai, int kind, UnixMs now) {
    const std::int64_t ms = policy.wrap_up_for(kind_names.name(kind));
    if (ms <= 0) return;
    const UnixMs until = now + ms;
    if (agents[ai].wrapping_up && agents[ai].wrap_up_until >= until) return;
    update_agent(ai, [&](AgentRec& a) {
      a.wrapping_up = true;
      a.wrap_up_until = until;
    });
    wrap_up_ends.emplace(until, ai);
  }

  void end_wrap_up(int ai, UnixMs now) {
    update_agent(ai, [&](AgentRec& a) {
      a.wrapping_up = false;
      a.idle_since = now;
    });
    mark_dirty(ai);
  }

  // Wrap-ups due by `now` end: those agents take new conversations in the next pass.
  void end_wrap_ups(UnixMs now) {
    while (!wrap_up_ends.empty() && wrap_up_ends.top().first <= now) {
      const auto [until, ai] = wrap_up_ends.top();
      wrap_up_ends.pop();
      if (agents[ai].wrapping_up && agents[ai].wrap_up_until == until) end_wrap_up(ai, now);
    }
  }

  // What keeps every agent of `team` (kNone = any) from taking `c` at level drop `drop`.
  NoAgentFacts no_agent_facts(const ConvRec& c, int team, int drop) const {
    NoAgentFacts f;
    f.kind = c.spec.channel.name();
    f.team = team_name(team);
    f.tier = c.spec.tier;
    for (const auto& a : agents) {
      if (a.presence != Presence::online || (team != kNone && a.team != team)) continue;
      ++f.online;
      if (!eligibility.has_skills(a, c, drop)) continue;
      ++f.skilled;
      if (eligibility.can_take(a, c.kind)) ++f.skilled_free;
    }
    if (f.online == 0 || f.skilled > 0) return f;
    for (const auto& [skill_id, min_level] : c.skills) {
      const auto skill = skill_id;  // clang (C++20) cannot capture a structured binding
      const int need = std::max(1, min_level - drop);
      std::string level = skill_names.name(skill) + ">=" + std::to_string(need);
      const bool someone = std::any_of(agents.begin(), agents.end(), [&](const AgentRec& a) {
        return a.presence == Presence::online && (team == kNone || a.team == team) &&
               a.level(skill) >= need;
      });
      if (!someone) f.missing.push_back(level);
      f.required.push_back(std::move(level));
    }
    return f;
  }

  std::string cannot_take(const AgentRec& a, const ConvRec& c) const {
    return cannot_take_text(a, a.kinds[c.kind], c.spec.channel.name());
  }

  // Frees the agent's slot; the conversation goes back to its original queue position.
  void release(ConvRec& c, UnixMs now, bool requeue) {
    if (c.agent != kNone) {
      update_agent(c.agent, [&](AgentRec& a) {
        --a.kinds[c.kind].load;
        --a.total_load;
        a.idle_since = now;
        std::erase(a.conversations, c.spec.id);
      });
      mark_dirty(c.agent);
      c.agent = kNone;
    }
    ++c.offer_gen;
    if (requeue) push_queue(c);
  }

  // ---------- matching passes ----------
  // Conversations routed only by the shared pool rules fail the same way within one pass:
  // the set remembers those failures so each further one costs a hash lookup.
  struct Pass {
    std::vector<Decision>& decisions;
    std::unordered_set<std::uint64_t> blocked;
  };

  std::uint64_t pool_signature(const ConvRec& c, UnixMs now) const {
    const std::hash<std::uint64_t> h;
    std::uint64_t sig =
        h((static_cast<std::uint64_t>(c.spec.tier) << 4) |
          static_cast<std::uint64_t>(current_level_drop(c, now)) |
          (static_cast<std::uint64_t>(overflow_open(c, now)) << 12) |
          (static_cast<std::uint64_t>(static_cast<std::uint32_t>(c.home_team + 1)) << 16) |
          (static_cast<std::uint64_t>(static_cast<std::uint32_t>(c.kind)) << 48));
    for (const auto& [skill, level] : c.skills)
      sig = sig * 1000003u ^
            h((static_cast<std::uint64_t>(skill) << 8) | static_cast<unsigned>(level));
    return sig;
  }

  void route(ConvRec& c, UnixMs now, Pass& pass) {
    const bool shared = !has_personal_route(c, now);
    const std::uint64_t sig = shared ? pool_signature(c, now) : 0;
    if (shared && pass.blocked.count(sig)) return;
    c.why = choose(c, now);
    const int ai = c.why.agent;
    if (ai == kNone) {
      if (shared) pass.blocked.insert(sig);
      return;
    }
    const DecisionKind kind =
        policy.reservation_timeout_ms > 0 ? DecisionKind::offer : DecisionKind::assign;
    give(c, ai, now, kind);
    pass.decisions.push_back(Decision{kind, c.spec.id, agents[ai].id,
                                      kind == DecisionKind::offer ? c.offer_expires : 0,
                                      reason_text(c.why, c)});
  }

  // Every queued conversation that some free agent could serve (any agent able to take a
  // conversation has its first required skill), best first.
  void full_pass(UnixMs now, Pass& pass) {
    const auto serviceable = [&](int sub) {
      return candidates.anyone_available_with(queue.sub_queue_skill(sub));
    };
    std::vector<int>& subs = walk_subs;
    subs.clear();
    for (int sub = 0; sub < queue.sub_queue_count(); ++sub)
      if (serviceable(sub)) subs.push_back(sub);
    queue.walk(subs, [&](const WaitingQueue::Key& key, int sub) {
      if (serviceable(sub)) route(*key.rec, now, pass);  // its skilled free agents may be full
      return candidates.anyone_available_with(kNone);
    });
  }

  // The best queued conversations for one agent that gained room, in queue order. Each is
  // still routed by the full rules, which may pick another free agent.
  void serve_agent(int ai, UnixMs now, Pass& pass) {
    std::vector<int>& subs = walk_subs;
    subs.clear();
    for (int kind = 0; kind < kind_names.size(); ++kind) {
      if (!eligibility.can_take(agents[ai], kind)) continue;
      subs.push_back(queue.sub_queue(kNone, kind));
      for (const auto& [skill, level] : agents[ai].skills)
        subs.push_back(queue.sub_queue(skill, kind));
    }
    const AgentRec& a = agents[ai];
    queue.walk(subs, [&](const WaitingQueue::Key& key, int sub) {
      const int kind = queue.sub_queue_kind(sub);
      const int first_skill = queue.sub_queue_skill(sub);
      const int drop = level_drop(key.arrival, now);
      const bool first_skill_ok =
          first_skill == kNone || a.level(first_skill) >= std::max(1, key.first_skill_level - drop);
      if (eligibility.can_take(a, kind) && first_skill_ok &&
          (!key.more_skills || eligibility.has_skills(a, *key.rec, drop)))
        route(*key.rec, now, pass);
      return eligibility.has_room(a);
    });
  }

  // Above this many agents with new room, one pass over the queue is cheaper than one walk
  // per agent.
  static constexpr std::size_t kAgentWalkLimit = 16;

  void route_changes(UnixMs now, std::vector<Decision>& decisions) {
    Pass pass{decisions, {}};
    changed_agents.clear();
    changed_agents.swap(dirty_agents);
    for (const int ai : changed_agents) agent_dirty[ai] = 0;
    changed_convs.clear();
    changed_convs.swap(dirty_convs);
    if (changed_agents.size() > kAgentWalkLimit) {
      full_pass(now, pass);
      return;
    }
    // Freed agents first: they take the best of the whole queue, new arrivals included.
    for (const int ai : changed_agents)
      if (eligibility.has_room(agents[ai])) serve_agent(ai, now, pass);
    std::vector<WaitingQueue::Key>& fresh = fresh_keys;
    fresh.clear();
    for (const ConversationId id : changed_convs) {
      const ConvRec* c = find_conv(id);
      if (c && c->in_queue) fresh.push_back(c->key);
    }
    std::sort(fresh.begin(), fresh.end());
    fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
    for (const auto& key : fresh) {
      if (!candidates.anyone_available_with(kNone)) break;
      ConvRec* c = find_conv(key.id);
      if (c && c->in_queue) route(*c, now, pass);
    }
  }

  // ---------- timers ----------
  // The next progress reminder of `c` after the slots done: one slot that passed without its
  // reminder (the gateway was down) fires once at `now`, or at the calendar's next opening if it
  // is closed now; otherwise the next slot of the rhythm.
  void schedule_progress(const ConvRec& c, UnixMs now) {
    const UnixMs arrived = c.spec.arrived_at;
    const UnixMs done = c.progress_done_until.value_or(arrived);
    const UnixMs missed = last_progress_slot(policy, c.spec.tier, arrived, now);
    if (missed > done) {
      const auto& cal = policy.calendar_for(c.spec.tier);
      // add_service_time(t, 1) - 1: the first open instant at or after t.
      const UnixMs at = cal.is_open(now) ? now : cal.add_service_time(now, 1) - 1;
      timers.push(at, c.spec.id, TimerKind::progress_reminder, c.timer_gen, missed);
      return;
    }
    const UnixMs next = next_progress_slot(policy, c.spec.tier, arrived, std::max(done, now));
    timers.push(next, c.spec.id, TimerKind::progress_reminder, c.timer_gen);
  }

  void schedule_sla(ConvRec& c, UnixMs now) {
    const auto warn = policy.sla.warn_before_ms;
    const auto add = [&](TimerKind k, UnixMs due) {
      if (!(c.fired & timer_bit(k))) timers.push(std::max(due, now), c.spec.id, k, c.timer_gen);
    };
    if (!c.first_response_done) {
      if (warn > 0) add(TimerKind::first_response_warning, c.deadlines.first_response_due - warn);
      add(TimerKind::first_response_breach, c.deadlines.first_response_due);
    }
    if (warn > 0) add(TimerKind::resolution_warning, c.deadlines.resolution_due - warn);
    add(TimerKind::resolution_breach, c.deadlines.resolution_due);
    if (c.deadlines.resolution_max_due > c.deadlines.resolution_due)
      add(TimerKind::resolution_max_breach, c.deadlines.resolution_max_due);
    if (c.spec.priority <= policy.sla.progress_update_up_to_priority) schedule_progress(c, now);
  }

  // When a warning or breach of `k` (one of kDeadlineKinds) comes due for `c`.
  UnixMs deadline_of(const ConvRec& c, TimerKind k) const {
    return routing::deadline_of(c.deadlines, policy.sla.warn_before_ms, k);
  }

  // New SLA deadlines for the conversation's current priority, from its arrival. The old
  // deadlines' timers are left in the heap and skipped when popped (generation); a deadline not
  // yet passed may be reported again when the new one passes.
  void retime_sla(ConvRec& c, UnixMs now) {
    c.deadlines = compute_sla_deadlines(policy, c.spec.tier, c.spec.priority, c.dedicated,
                                        c.spec.arrived_at, c.spec.channel);
    for (const auto k : kDeadlineKinds)
      if (deadline_of(c, k) > now) c.fired &= ~timer_bit(k);
    ++c.timer_gen;
    // While paused, customer_replied() shifts the new deadlines and schedules them.
    if (!c.paused_at) schedule_sla(c, now);
  }

  std::optional<AgentId> holder(const ConvRec& c) const {
    if (c.agent == kNone) return std::nullopt;
    return agents[c.agent].id;
  }

  // Turns a due timer into an event, or nothing if it no longer applies.
  std::optional<TimerEvent> fire(const Timer& t, UnixMs now) {
    ConvRec* cp = find_conv(t.conv);
    if (!cp) return std::nullopt;
    ConvRec& c = *cp;
    if (pausable(t.kind) && (t.gen != c.timer_gen || c.paused_at)) return std::nullopt;
    TimerEvent ev;
    ev.kind = t.kind;
    ev.conversation = c.spec.id;
    ev.due_at = t.due;
    ev.agent = holder(c);
    const std::string who = ev.agent ? *ev.agent : "supervisor";
    const std::string p = "P" + std::to_string(c.spec.priority);
    switch (t.kind) {
      case TimerKind::reservation_expired: {
        if (c.state != ConversationState::offered || t.gen != c.offer_gen) return std::nullopt;
        const AgentId was = agents[c.agent].id;
        c.declined.push_back(c.agent);
        release(c, now, true);
        ev.target = was;
        ev.reason = "offer to " + was + " not accepted within " +
                    seconds(policy.reservation_timeout_ms) + "; re-queued for the next agent";
        c.history += ev.reason + "\n";
        return ev;
      }
      case TimerKind::escalation:
        ev.target = "supervisor";
        ev.reason = p + " escalated at once to supervisors and technical experts";
        return ev;
      case TimerKind::progress_reminder:
        ev.target = who;
        ev.reason = p + ": send the customer a progress update (every " +
                    seconds(policy.sla.progress_update_every_ms) + ")";
        // The latest slot passed: a late advance() raises one reminder, not one per slot.
        ev.due_at =
            std::max(t.deadline, last_progress_slot(policy, c.spec.tier, c.spec.arrived_at, now));
        c.progress_done_until = ev.due_at;
        schedule_progress(c, now);
        return ev;
      default:
        break;
    }
    if (c.fired & timer_bit(t.kind)) return std::nullopt;
    ev.due_at = deadline_of(c, t.kind);  // not the rebuild's time when it came due while down
    const bool first =
        t.kind == TimerKind::first_response_warning || t.kind == TimerKind::first_response_breach;
    if (first && c.first_response_done) return std::nullopt;
    c.fired |= timer_bit(t.kind);
    const UnixMs due = first                                        ? c.deadlines.first_response_due
                       : t.kind == TimerKind::resolution_max_breach ? c.deadlines.resolution_max_due
                                                                    : c.deadlines.resolution_due;
    const bool warning =
        t.kind == TimerKind::first_response_warning || t.kind == TimerKind::resolution_warning;
    ev.target = warning                                      ? who
                : t.kind == TimerKind::resolution_max_breach ? "service_director"
                                                             : "supervisor";
    ev.reason = p + " tier " + to_string(c.spec.tier) + " " +
                (first ? "first response" : "resolution") +
                (t.kind == TimerKind::resolution_max_breach ? " hard limit" : "") +
                (warning ? " due soon" : " breached") + " (due at " + std::to_string(due) + ")";
    return ev;
  }
};

Engine::Engine(Policy policy) : state_(std::make_unique<State>(std::move(policy))) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const Policy& Engine::policy() const {
  return state_->policy;
}

Status Engine::upsert_agent(const AgentSpec& spec, UnixMs now) {
  auto& s = *state_;
  if (spec.id.empty()) return Status::failure("agent id is empty");
  for (const auto& sk : spec.skills)
    if (sk.skill.empty() || sk.level < 1 || sk.level > 5)
      return Status::failure("agent " + spec.id + ": skill \"" + sk.skill +
                             "\" needs a name and a level 1..5");
  for (const auto& [kind, cap] : spec.capacity) {
    if (kind.empty()) return Status::failure("agent " + spec.id + ": capacity for an unnamed kind");
    if (cap < 0)
      return Status::failure("agent " + spec.id + ": negative capacity for " + kind.name());
  }
  if (spec.total_capacity < 0)
    return Status::failure("agent " + spec.id + ": negative total capacity");
  for (const auto& [kind, cap] : spec.capacity) s.kind_id(kind);
  int ai = s.find_agent(spec.id);
  if (ai == kNone) {
    ai = static_cast<int>(s.agents.size());
    s.agents.emplace_back();
    s.agents.back().id = spec.id;
    s.agents.back().idle_since = now;
    s.agent_by_id.emplace(spec.id, ai);
  }
  s.candidates.unindex(ai);  // the profile decides which candidate sets the agent belongs to
  {
    AgentRec& a = s.agents[ai];
    a.team = s.team_id(spec.team);
    a.skills.clear();
    for (const auto& sk : spec.skills) a.skills.emplace_back(s.skill_id(sk.skill), sk.level);
    std::sort(a.skills.begin(), a.skills.end());
    a.skills.erase(std::unique(a.skills.begin(), a.skills.end(),
                               [](const auto& x, const auto& y) { return x.first == y.first; }),
                   a.skills.end());
    a.tiers_mask = 0;
    for (const Tier t : spec.tiers_served) a.tiers_mask |= 1u << static_cast<int>(t);
    if (a.tiers_mask == 0) a.tiers_mask = 0xF;
    a.kinds.resize(s.kind_names.size());  // a new agent: no load yet
    for (std::size_t k = 0; k < a.kinds.size(); ++k) a.kinds[k].cap = s.kind_default_cap[k];
    for (const auto& [kind, cap] : spec.capacity) a.kinds[s.kind_names.find(kind.name())].cap = cap;
    a.total_cap = spec.total_capacity > 0 ? spec.total_capacity : s.policy.capacity.total;
  }
  s.candidates.index(ai);
  s.mark_dirty(ai);
  return Status::success();
}

Status Engine::set_presence(const AgentId& id, Presence presence, UnixMs now) {
  auto& s = *state_;
  const int ai = s.find_agent(id);
  if (ai == kNone) return Status::failure("unknown agent " + id);
  const Presence before = s.agents[ai].presence;
  s.update_agent(ai, [&](AgentRec& a) {
    a.presence = presence;
    if (before != Presence::online && presence == Presence::online) a.idle_since = now;
    if (presence == Presence::online) a.wrapping_up = false;  // ready before the wrap-up ends
  });
  if (presence == Presence::online) s.mark_dirty(ai);
  if (presence == Presence::offline) {
    const auto held = s.agents[ai].conversations;  // copy: release() edits the list
    for (const ConversationId cid : held) {
      ConvRec& c = s.convs.at(cid);
      if (c.state == ConversationState::offered || s.kind_live[c.kind]) {
        c.history += "re-queued at its original position: agent " + id + " went offline at " +
                     std::to_string(now) + "\n";
        s.release(c, now, true);
      }
    }
  }
  return Status::success();
}

Status Engine::accept(const AgentId& id, ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  const int ai = s.find_agent(id);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (ai == kNone) return Status::failure("unknown agent " + id);
  if (c->state != ConversationState::offered || c->agent != ai)
    return Status::failure("conversation " + std::to_string(cid) + " is not offered to " + id);
  if (now > c->offer_expires) return Status::failure("the offer to " + id + " has expired");
  c->state = ConversationState::assigned;
  ++c->offer_gen;
  return Status::success();
}

Status Engine::decline(const AgentId& id, ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  const int ai = s.find_agent(id);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (ai == kNone || c->state != ConversationState::offered || c->agent != ai)
    return Status::failure("conversation " + std::to_string(cid) + " is not offered to " + id);
  c->declined.push_back(ai);
  c->history += "declined by " + id + "\n";
  s.release(*c, now, true);
  return Status::success();
}

Status Engine::return_to_queue(ConversationId cid, const AgentId& exclude, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  const std::string which = "conversation " + std::to_string(cid);
  const int named = exclude.empty() ? kNone : s.find_agent(exclude);
  if (!exclude.empty() && named == kNone) return Status::failure("unknown agent " + exclude);
  if (c->state == ConversationState::queued) {
    // Already back (its offer lapsed first): the agent is still never offered it again.
    if (named == kNone) return Status::failure(which + " is queued, not with an agent");
    if (!s.eligibility.declined(*c, named)) c->declined.push_back(named);
    s.dirty_convs.push_back(cid);
    return Status::success();
  }
  if (named != kNone && named != c->agent)
    return Status::failure(which + " is with " + s.agents[c->agent].id + ", not " + exclude);
  // Its SLA clocks run again in the queue (a paused one would never fire there).
  if (c->state == ConversationState::waiting_customer) customer_replied(cid, now);
  const int ai = c->agent;
  c->declined.push_back(ai);
  c->history += "returned to the queue at its original position: " + s.agents[ai].id +
                " did not take it at " + std::to_string(now) + "\n";
  s.release(*c, now, true);
  return Status::success();
}

Status Engine::enqueue(const ConversationSpec& spec, UnixMs now) {
  auto& s = *state_;
  const std::string which = "conversation " + std::to_string(spec.id);
  if (s.convs.count(spec.id)) return Status::failure(which + " is already known");
  if (spec.priority < 1 || spec.priority > kPriorityCount)
    return Status::failure(which + ": priority must be 1..4, got " + std::to_string(spec.priority));
  if (spec.channel.empty()) return Status::failure(which + ": no channel kind");
  for (const auto& r : spec.skills)
    if (r.skill.empty() || r.min_level < 1 || r.min_level > 5)
      return Status::failure(which + ": skill \"" + r.skill + "\" needs a name and a level 1..5");
  ConvRec c;
  c.spec = spec;
  c.kind = s.kind_id(spec.channel);
  c.home_team = s.team_id(spec.team);
  c.account_team = s.team_id(spec.account_team);
  s.build_groups_for(c.home_team);
  if (c.account_team != kNone) s.candidates.build_group(c.account_team);
  for (const auto& r : spec.skills) c.skills.emplace_back(s.skill_id(r.skill), r.min_level);
  c.primary_skill = c.skills.empty() ? kNone : c.skills.front().first;
  c.dedicated =
      s.policy.tiers[static_cast<int>(spec.tier)].dedicated_group && c.account_team != kNone;
  c.deadlines = spec.deadlines ? *spec.deadlines
                               : compute_sla_deadlines(s.policy, spec.tier, spec.priority,
                                                       c.dedicated, spec.arrived_at, spec.channel);
  c.progress_done_until = spec.last_progress_reminder;
  auto& stored = s.convs.emplace(spec.id, std::move(c)).first->second;
  stored.promotions = s.promotions_earned(stored, now);
  s.push_queue(stored);
  bool escalated_before = false;
  for (const auto k : spec.raised_before) {
    if (k == TimerKind::escalation) escalated_before = true;
    if (is_deadline_kind(k) && s.deadline_of(stored, k) <= now) stored.fired |= timer_bit(k);
  }
  s.schedule_sla(stored, now);
  if (spec.priority <= s.policy.sla.escalate_at_once_up_to_priority && !escalated_before)
    s.timers.push(now, spec.id, TimerKind::escalation, 0);
  // Moments at which the conversation's reachable agents widen, so the gateway wakes up.
  for (const auto& step : s.policy.bullseye)
    s.wakeups.emplace(spec.arrived_at + step.after_ms, spec.id);
  if (spec.previous_agent && s.policy.sticky.enabled)
    s.wakeups.emplace(spec.arrived_at + s.policy.sticky.wait_ms, spec.id);
  if (const auto wait = s.policy.tiers[static_cast<int>(spec.tier)].preferred_wait_ms; wait > 0)
    s.wakeups.emplace(spec.arrived_at + wait, spec.id);
  if (stored.home_team != kNone) {
    const auto it = s.policy.teams.find(spec.team);
    if (it != s.policy.teams.end() && it->second.overflow_after_ms > 0)
      s.wakeups.emplace(spec.arrived_at + it->second.overflow_after_ms, spec.id);
  }
  return Status::success();
}

Status Engine::finish(ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (c->state == ConversationState::queued)
    return Status::failure("conversation " + std::to_string(cid) +
                           " is queued, not being handled; use remove");
  const int handler = c->state == ConversationState::offered ? kNone : c->agent;
  const int kind = c->kind;
  s.release(*c, now, false);
  s.convs.erase(cid);  // its timers are now stale and are skipped when they come due
  if (handler != kNone) s.start_wrap_up(handler, kind, now);
  return Status::success();
}

Status Engine::remove(ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  s.pop_queue(*c);
  s.release(*c, now, false);
  s.convs.erase(cid);
  return Status::success();
}

Status Engine::record_first_response(ConversationId cid, UnixMs) {
  ConvRec* c = state_->find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  c->first_response_done = true;
  return Status::success();
}

Status Engine::waiting_on_customer(ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (c->state != ConversationState::assigned)
    return Status::failure("conversation " + std::to_string(cid) + " is " + to_string(c->state) +
                           "; only an assigned conversation can wait on the customer");
  c->state = ConversationState::waiting_customer;
  if (s.policy.sla.pause_while_waiting_customer) {
    c->paused_at = now;
    ++c->timer_gen;
  }
  return Status::success();
}

Status Engine::customer_replied(ConversationId cid, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (c->state != ConversationState::waiting_customer)
    return Status::failure("conversation " + std::to_string(cid) +
                           " is not waiting on the customer");
  c->state = ConversationState::assigned;
  if (!c->paused_at) return Status::success();
  const auto& cal = s.policy.calendar_for(c->spec.tier);
  const UnixMs paused = *c->paused_at;
  const auto shift = [&](UnixMs& due, bool already_breached) {
    if (!already_breached) due = resume_deadline(cal, due, paused, now);
  };
  shift(c->deadlines.first_response_due,
        c->first_response_done || (c->fired & timer_bit(TimerKind::first_response_breach)));
  shift(c->deadlines.resolution_due, c->fired & timer_bit(TimerKind::resolution_breach));
  shift(c->deadlines.resolution_max_due, c->fired & timer_bit(TimerKind::resolution_max_breach));
  c->paused_at.reset();
  // The reminder slots that passed while the customer owed the answer are not owed.
  c->progress_done_until =
      std::max(c->progress_done_until.value_or(c->spec.arrived_at),
               last_progress_slot(s.policy, c->spec.tier, c->spec.arrived_at, now));
  ++c->timer_gen;
  s.schedule_sla(*c, now);
  return Status::success();
}

Status Engine::transfer_to_agent(ConversationId cid, const AgentId& id, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  const int ai = s.find_agent(id);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (ai == kNone) return Status::failure("unknown agent " + id);
  if (c->agent == ai)
    return Status::failure("conversation " + std::to_string(cid) + " is already with " + id);
  if (!s.eligibility.can_take(s.agents[ai], c->kind))
    return Status::failure(s.cannot_take(s.agents[ai], *c));
  const std::string from = c->agent == kNone ? std::string("the queue") : s.agents[c->agent].id;
  const bool was_waiting = c->state == ConversationState::waiting_customer;
  s.release(*c, now, false);
  s.pop_queue(*c);
  s.give_by_hand(*c, ai, now, "transferred from " + from + " to " + id);
  if (was_waiting) c->state = ConversationState::waiting_customer;
  return Status::success();
}

Status Engine::transfer_to_team(ConversationId cid, const std::string& team, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (team.empty()) return Status::failure("team name is empty");
  const std::string from = c->agent == kNone ? std::string("the queue") : s.agents[c->agent].id;
  s.pop_queue(*c);
  s.release(*c, now, false);
  c->home_team = s.team_id(team);
  s.build_groups_for(c->home_team);
  c->spec.team = team;
  // An explicit transfer overrides the customer's personal routes.
  c->spec.previous_agent.reset();
  c->spec.account_manager.reset();
  c->account_team = kNone;
  c->history +=
      "transferred from " + from + " to team " + team + " at " + std::to_string(now) + "\n";
  s.push_queue(*c);
  return Status::success();
}

Status Engine::pick(const AgentId& id, ConversationId cid, UnixMs now) {
  auto& s = *state_;
  if (!s.policy.manual_pick)
    return Status::failure("manual pick is disabled by the routing policy");
  ConvRec* c = s.find_conv(cid);
  const int ai = s.find_agent(id);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (ai == kNone) return Status::failure("unknown agent " + id);
  if (c->state != ConversationState::queued)
    return Status::failure("conversation " + std::to_string(cid) + " is " + to_string(c->state) +
                           ", not queued");
  const int drop = s.current_level_drop(*c, now);
  if (!s.eligibility.can_take(s.agents[ai], c->kind))
    return Status::failure(s.cannot_take(s.agents[ai], *c));
  if (!s.eligibility.has_skills(s.agents[ai], *c, drop))
    return Status::failure(id + " lacks a required skill at the required level");
  if (!s.eligibility.serves_tier(s.agents[ai], *c))
    return Status::failure(id + " does not serve tier " + to_string(c->spec.tier));
  s.give_by_hand(*c, ai, now, "picked manually by " + id);
  return Status::success();
}

Status Engine::set_priority(ConversationId cid, int priority, UnixMs now) {
  auto& s = *state_;
  ConvRec* c = s.find_conv(cid);
  if (!c) return Status::failure("unknown conversation " + std::to_string(cid));
  if (priority < 1 || priority > kPriorityCount)
    return Status::failure("priority must be 1..4, got " + std::to_string(priority));
  const int from = c->spec.priority;
  if (priority == from) return Status::success();
  const bool queued = c->in_queue;
  s.pop_queue(*c);  // its queue key (band, deadline) changes
  c->spec.priority = priority;
  c->promotions = s.promotions_earned(*c, now);
  s.retime_sla(*c, now);
  if (queued)
    s.push_queue(*c);  // also schedules its next ageing step
  else
    s.schedule_promotion(*c);
  const int at_once = s.policy.sla.escalate_at_once_up_to_priority;
  if (priority <= at_once && from > at_once) s.timers.push(now, cid, TimerKind::escalation, 0);
  c->history += "priority changed from P" + std::to_string(from) + " to P" +
                std::to_string(priority) + " at " + std::to_string(now) + "\n";
  return Status::success();
}

std::vector<TimerEvent> Engine::advance(UnixMs now) {
  auto& s = *state_;
  s.end_wrap_ups(now);
  s.apply_promotions(now);
  s.collect_wakeups(now);
  std::vector<TimerEvent> events;
  while (const auto t = s.timers.pop_due(now))
    if (auto ev = s.fire(*t, now)) events.push_back(std::move(*ev));
  return events;
}

std::vector<Decision> Engine::dispatch(UnixMs now) {
  auto& s = *state_;
  // No-ops after advance(now), which the gateway calls first (tick); here for callers that
  // only dispatch.
  s.end_wrap_ups(now);
  s.apply_promotions(now);
  s.collect_wakeups(now);
  std::vector<Decision> decisions;
  s.route_changes(now, decisions);
  return decisions;
}

std::pair<std::vector<TimerEvent>, std::vector<Decision>> Engine::tick(UnixMs now) {
  auto events = advance(now);
  return {std::move(events), dispatch(now)};
}

std::string Engine::explain(ConversationId cid) const {
  const auto& s = *state_;
  const auto it = s.convs.find(cid);
  if (it == s.convs.end())
    return "conversation " + std::to_string(cid) + " is not known to the routing engine";
  const ConvRec& c = it->second;
  std::ostringstream out;
  out << describe_conversation(c.spec, c.home_team == kNone ? "" : s.team_name(c.home_team));
  out << "\n" << c.history;
  out << "SLA: first response due " << c.deadlines.first_response_due << ", resolution due "
      << c.deadlines.resolution_due << " (calendar " << s.policy.calendar_for(c.spec.tier).name()
      << (c.dedicated ? ", dedicated-group target" : "")
      << (c.paused_at ? ", paused: waiting on customer" : "") << ")\n";
  if (c.state != ConversationState::queued) {
    out << to_string(c.state) << " to " << s.agents[c.agent].id << ": " << s.reason_text(c.why, c)
        << "\n";
    return out.str();
  }
  const auto pos = s.queue.position(c.key);
  out << "queued at position " << pos + 1 << " of " << s.queue.size() << " (band " << c.key.band
      << " = P" << c.spec.priority << "/tier " << to_string(c.spec.tier) << " minus "
      << c.promotions << " ageing promotions)\n";
  out << "waiting: " << s.reason_text(c.why, c) << "\n";
  // Count, over all agents, the first rule that keeps each one from taking it, against the
  // strict skill levels (explain() has no `now`, so no bullseye widening is assumed).
  AgentTally tally;
  for (int ai = 0; ai < static_cast<int>(s.agents.size()); ++ai) {
    const auto& a = s.agents[ai];
    if (a.presence != Presence::online)
      ++tally.offline;
    else if (!s.eligibility.can_take(a, c.kind))
      ++tally.no_capacity;
    else if (!s.eligibility.has_skills(a, c, 0))
      ++tally.no_skill;
    else if (!s.eligibility.serves_tier(a, c))
      ++tally.no_tier;
    else if (s.eligibility.declined(c, ai))
      ++tally.declined;
    else
      ++tally.eligible;
  }
  out << agent_tally_text(tally, c.spec.channel.name(), c.spec.tier);
  return out.str();
}

std::optional<SlaDeadlines> Engine::sla_deadlines(ConversationId cid) const {
  const auto it = state_->convs.find(cid);
  if (it == state_->convs.end()) return std::nullopt;
  return it->second.deadlines;
}

std::optional<ConversationView> Engine::conversation(ConversationId cid) const {
  const auto& s = *state_;
  const auto it = s.convs.find(cid);
  if (it == s.convs.end()) return std::nullopt;
  const ConvRec& c = it->second;
  return ConversationView{c.spec.id,  c.state, s.holder(c), c.deadlines, c.first_response_done,
                          c.paused_at};
}

std::optional<AgentView> Engine::agent(const AgentId& id) const {
  const auto& s = *state_;
  const int ai = s.find_agent(id);
  if (ai == kNone) return std::nullopt;
  const auto& a = s.agents[ai];
  std::map<ChannelKind, int> load;
  for (std::size_t k = 0; k < a.kinds.size(); ++k)
    if (a.kinds[k].load > 0) load.emplace(s.kind_names.name(k), a.kinds[k].load);
  return AgentView{a.id,
                   a.presence,
                   std::move(load),
                   a.total_load,
                   a.conversations,
                   a.wrapping_up ? std::optional<UnixMs>(a.wrap_up_until) : std::nullopt};
}

std::size_t Engine::queued_count() const {
  return state_->queue.size();
}

std::optional<UnixMs> Engine::next_timer_at() const {
  const auto& s = *state_;
  std::optional<UnixMs> next;
  const auto consider = [&](UnixMs t) {
    if (!next || t < *next) next = t;
  };
  if (const auto due = s.timers.next_due()) consider(*due);
  if (!s.promotions.empty()) consider(s.promotions.top().first);
  if (!s.wakeups.empty()) consider(s.wakeups.top().first);
  if (!s.wrap_up_ends.empty()) consider(s.wrap_up_ends.top().first);
  return next;
}

}  // namespace omnigate::routing
