#include "dispatch/routing_dispatcher.hpp"

#include "config/config.hpp"
#include "config/replaced_routing_keys.hpp"
#include "core/clock.hpp"
#include "core/coalescing_queue.hpp"
#include "core/log.hpp"
#include "dispatch/queue_wait_estimate.hpp"
#include "dispatch/tier_rules.hpp"
#include "routing_specs/routing_specs.hpp"
#include "routing_specs/team_rules.hpp"

#include <omnigate/routing/engine.hpp>
#include <omnigate/routing/policy.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

namespace omnigate::dispatch {

namespace {

constexpr std::string_view kComponent = "routing";
constexpr auto kTickInterval = std::chrono::milliseconds(1000);
constexpr auto kQueueNoticeInterval = std::chrono::milliseconds(1000);

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Whether an expected wait changed enough to tell the customer's channel again: becoming known
// or unknown, or moving by a quarter or more (a steady queue does not re-announce every second).
bool wait_moved(std::int64_t announced, std::int64_t now) {
  if ((announced < 0) != (now < 0)) return true;
  if (announced < 0) return false;
  const std::int64_t diff = announced > now ? announced - now : now - announced;
  return diff * 4 >= std::max<std::int64_t>(announced, 1);
}
constexpr int kLoadPageSize = 500;

routing::Policy parse_policy_or_throw(const std::string& policy_json) {
  if (policy_json.empty()) return routing::Policy::defaults();
  config::refuse_replaced_routing_keys(policy_json);
  try {
    return routing::parse_policy_json(policy_json);
  } catch (const routing::PolicyError& e) {
    throw config::ConfigError(e.what());  // already names the key path ("routing.sla.P2...")
  } catch (const nlohmann::json::exception& e) {
    throw config::ConfigError(std::string("routing: not valid JSON: ") + e.what());
  }
}

using routing_specs::agent_spec;
using routing_specs::to_routing;

// The TRANSFERRED notice, with how (detail_json, og_conversation_notice): the channel bridges a
// warm transfer while the customer stays on.
store::ConversationChange transfer_change(store::Id id, const std::string& agent,
                                          const std::string& previous, bool warm,
                                          const std::string& by) {
  auto change =
      store::conversation_change(store::ConversationChange::Kind::transferred, id, agent, previous);
  change.detail_json = nlohmann::json{{"mode", warm ? "warm" : "cold"}, {"by", by}}.dump();
  return change;
}

std::string reason_json(const std::string& reason, const std::string& agent) {
  nlohmann::json j = {{"reason", reason}};
  if (!agent.empty()) j["agent"] = agent;
  return j.dump();
}

// Conversations an agent holds per channel kind (kinds with none left out).
std::map<std::string, int> load_by_kind(const routing::AgentView& agent) {
  std::map<std::string, int> out;
  for (const auto& [kind, n] : agent.load) out[kind.name()] = n;
  return out;
}

AgentActionResult no_pending_offer(store::Id conversation_id, const std::string& agent_id) {
  return {AgentActionResult::Kind::conflict,
          "conversation " + std::to_string(conversation_id) + " has no pending offer to " +
              agent_id + " (never made, already answered, withdrawn or expired)"};
}

}  // namespace

// Everything except the constructor's parsing runs on `strand`: the engine is single-threaded.
struct RoutingDispatcher::State : std::enable_shared_from_this<State> {
  store::Store& store;
  Metrics& metrics;
  std::shared_ptr<Strand> strand;
  routing::Policy policy;
  std::unique_ptr<routing::Engine> engine;
  std::atomic<bool> running{false};
  std::uint64_t tick_timer = 0;
  std::map<store::Id, QueuedConversation> tracked;  // every conversation the engine knows
  // The SLA clock of each tracked conversation as last written to the store (keep_sla_clock).
  std::map<store::Id, store::SlaClock> sla_clocks;
  std::set<std::string> agents;
  std::map<std::string, routing::AgentSpec> agent_specs;  // skills and capacity, for availability
  // Offers as the engine made them (it keeps no expiry in its views); an entry is only believed
  // while the engine still has the conversation offered to that agent (pending_offer()).
  std::map<store::Id, PendingOffer> offers;
  std::function<store::UnixMs()> clock = now_ms;
  std::shared_ptr<LivePublisher> live;     // null: nobody listens
  EscalationListener escalation_listener;  // P1/P2 escalations for the people they reach
  bool rebuilding = false;                 // a rebuild's replay is not news: one snapshot follows
  std::map<std::string, std::string> agent_teams;  // for the stream's team filter

  // Conversation notices for the channels (notify_conversations); empty: nobody listens.
  store::ConversationListener conversation_listener;
  // Queue positions last announced, and when they were last recomputed (steady clock): a busy
  // queue is recomputed at most once per kQueueNoticeInterval, and only moves are announced.
  // What was last announced per queued conversation: its position and expected wait.
  std::map<store::Id, std::pair<int, std::int64_t>> announced_positions;
  std::chrono::steady_clock::time_point positions_at{};
  QueueWaitEstimate wait_estimate;  // the queue's recent pace, from the assignments
  bool positions_stale = false;
  RoutingAvailability availability;  // published after each dispatch pass, read by any thread

  // Tier rules: replaced by set_tier_rules (any thread), read on the strand and by the API.
  mutable std::mutex rules_mu;
  std::shared_ptr<const std::vector<config::TierRule>> rules =
      std::make_shared<const std::vector<config::TierRule>>();

  // Stored-message notices from the store's writer thread: a group commit delivers up to a few
  // hundred at once. They wait here for one strand task per burst, so the writer posts (and
  // wakes a worker thread) once per burst instead of once per message.
  struct InboundNotice {
    store::Id conversation_id;
    std::string instance;
    bool new_conversation;
    store::Id message_id;  // a customer message (0: a channel event)
  };
  CoalescingQueue<InboundNotice> inbound;

  // Queue lengths for the scrape-time collector, which runs on another thread.
  std::mutex queue_mu;
  std::map<std::pair<std::string, int>, int> queue_length;

  State(store::Store& s, Executor& e, Metrics& m, routing::Policy p)
      : store(s), metrics(m), strand(e.make_strand()), policy(std::move(p)) {}

  template <class Fn>
  void on_strand(Fn fn) {
    std::weak_ptr<State> weak = shared_from_this();
    strand->post([weak, fn = std::move(fn)]() mutable {
      if (auto self = weak.lock()) fn(*self);
    });
  }

  void drain_inbound() {
    for (const auto& notice : inbound.take()) {
      on_stored_message(notice);
      if (notice.message_id != 0) publish_message_received(notice);
    }
  }

  // message.received: agents learn of a customer's message as soon as it is stored. A
  // conversation the engine does not track (waiting for its tier rules, or not routable) is
  // described from the store.
  void publish_message_received(const InboundNotice& notice) {
    if (!listening()) return;
    const auto now = clock();
    auto e = conversation_event("message.received", notice.conversation_id, now);
    if (e) {
      e->agent = assigned_agent(notice.conversation_id);
    } else {
      const auto c = store.get_conversation(notice.conversation_id);
      if (!c) return;
      e.emplace();
      e->type = "message.received";
      e->at = now;
      e->conversation_id = c->id;
      e->team = c->team;
      e->tier = store::to_string(c->tier);
      e->priority = c->priority;
      e->channel_kind = c->channel_kind;
      e->state = store::to_string(c->status);
      e->agent = c->assigned_agent.value_or("");
    }
    e->agent_team = agent_team(e->agent);
    e->message_id = notice.message_id;
    e->reason = "customer message from " + notice.instance;
    publish(*e);
  }

  void on_stored_message(const InboundNotice& notice) {
    if (!engine) return;
    const auto id = notice.conversation_id;
    const auto now = clock();
    if (tracked.count(id)) {
      // A new conversation the start-up load picked up before this notice: it still gets its
      // customer's tier rules (the load does not apply them; reposition() re-queues it).
      if (notice.new_conversation) {
        if (const auto c = store.get_conversation(id)) apply_tier_rules(*c);
        return;
      }
      // A customer message on a conversation being handled: only the SLA pause ends.
      const auto view = engine->conversation(id);
      if (view && view->state == routing::ConversationState::waiting_customer) {
        engine->customer_replied(id, now);
        keep_sla_clock(id);
      }
      return;
    }
    const auto c = store.get_conversation(id);
    if (!c) {
      log(LogLevel::warn, kComponent,
          "conversation " + std::to_string(id) + " from " + notice.instance + " not found");
      return;
    }
    if (c->status == store::ConversationStatus::resolved ||
        c->status == store::ConversationStatus::closed)
      return;
    if (notice.new_conversation && apply_tier_rules(*c)) return;
    track(*c, now);
    dispatch(now);
  }

  // ---- loading state from the store (start, reload)

  void rebuild() {
    const auto now = clock();
    rebuilding = true;
    engine = std::make_unique<routing::Engine>(policy);
    tracked.clear();
    sla_clocks.clear();
    agents.clear();
    agent_specs.clear();
    offers.clear();
    const auto stored_agents = store.list_agents();
    // Everyone online while assignments are restored, so that the engine accepts them; the real
    // presence follows, and an offline agent's live conversations are re-queued as usual.
    for (const auto& a : stored_agents) add_agent(a, now);
    for (auto status :
         {store::ConversationStatus::assigned, store::ConversationStatus::waiting_customer,
          store::ConversationStatus::queued}) {
      store::ConversationFilter filter;
      filter.status = status;
      filter.limit = kLoadPageSize;
      for (;;) {
        const auto page = store.list_conversations(filter);
        for (const auto& c : page) track(c, now);
        if (static_cast<int>(page.size()) < kLoadPageSize) break;
        filter.after_id = page.back().id;
      }
    }
    for (const auto& a : stored_agents) apply_presence(a.id, to_routing(a.presence), now);
    log(LogLevel::info, kComponent,
        "loaded " + std::to_string(agents.size()) + " agent(s) and " +
            std::to_string(tracked.size()) + " open conversation(s)");
    dispatch(now);
    rebuilding = false;
    if (live) live->resnapshot(live_view_at(now), stored_agents);
  }

  void add_agent(const store::Agent& a, store::UnixMs now) {
    if (auto st = engine->upsert_agent(agent_spec(a), now); !st) {
      log(LogLevel::warn, kComponent, "agent " + a.id + " not routable: " + st.error);
      return;
    }
    engine->set_presence(a.id, routing::Presence::online, now);
    agents.insert(a.id);
    agent_specs[a.id] = agent_spec(a);
    agent_teams[a.id] = a.team;
  }

  // Puts an open conversation into the engine: queued ones wait at their original position,
  // assigned ones occupy their agent's capacity.
  void track(const store::Conversation& c, store::UnixMs now) {
    if (tracked.count(c.id)) return;
    // The customer's dedicated group and named manager (admin API, CLI, tier rules).
    const auto customer = store.get_customer(c.customer_id);
    const std::string none;
    auto spec = routing_specs::conversation_spec({c.tier, c.priority, c.channel_kind, c.skills,
                                                  customer ? customer->account_team : none,
                                                  customer ? customer->account_manager : none});
    spec.id = c.id;
    // The home team by the policy's team rules (re-derived at each rebuild, not stored); a
    // transfer to a team (below) overrides it.
    const std::string no_attributes = "{}";
    spec.team = routing_specs::home_team_by_rule(
        engine->policy().team_rules,
        {c.channel_instance, c.skills, customer ? customer->attributes_json : no_attributes});
    spec.arrived_at = c.queued_at != 0 ? c.queued_at : c.created_at;
    spec.previous_agent = c.previous_agent;
    // Deadlines that pauses on the customer shifted are kept as they are, not recomputed.
    if (c.sla_deadlines_shifted && c.first_response_due && c.resolution_due && c.resolution_max_due)
      spec.deadlines =
          routing::SlaDeadlines{*c.first_response_due, *c.resolution_due, *c.resolution_max_due};
    raised_before(c.id, spec);
    if (auto st = engine->enqueue(spec, now); !st) {
      log(LogLevel::warn, kComponent, "conversation " + std::to_string(c.id) + ": " + st.error);
      return;
    }
    // A transfer to a team survives the rebuild, with the engine's own rule that it overrides
    // the customer's personal routes (sticky agent, account team and manager).
    if (!c.team.empty()) {
      if (auto st = engine->transfer_to_team(c.id, c.team, now); !st)
        log(LogLevel::warn, kComponent,
            "conversation " + std::to_string(c.id) + " loses its team: " + st.error);
    }
    QueuedConversation q;
    q.conversation_id = c.id;
    q.tier = store::to_string(c.tier);
    q.priority = spec.priority;
    q.channel_kind = c.channel_kind;
    q.channel_instance = c.channel_instance;
    q.queued_at = spec.arrived_at;
    q.team = c.team.empty() ? spec.team : c.team;
    if (auto d = engine->sla_deadlines(c.id)) q.first_response_due = d->first_response_due;
    tracked[c.id] = q;

    if (c.assigned_agent && c.status != store::ConversationStatus::queued) {
      if (auto st = engine->transfer_to_agent(c.id, *c.assigned_agent, now); !st)
        log(LogLevel::warn, kComponent,
            "conversation " + std::to_string(c.id) + " stays queued: " + st.error);
    }
    if (c.first_response_at) engine->record_first_response(c.id, now);
    // An ongoing pause resumes from when it began, so the customer's reply shifts the deadlines
    // by the whole wait, the time the gateway was down included.
    if (c.status == store::ConversationStatus::waiting_customer)
      engine->waiting_on_customer(c.id, c.sla_paused_since.value_or(now));
    if (c.status == store::ConversationStatus::queued)
      publish_conversation("conversation.queued", c.id, now, {}, "waiting for an agent");
    sla_clocks[c.id] = {c.first_response_due.value_or(0), c.resolution_due.value_or(0),
                        c.resolution_max_due.value_or(0), c.sla_paused_since,
                        c.sla_deadlines_shifted};
    keep_sla_clock(c.id);
  }

  // Writes the conversation's SLA clock to the store when the engine's differs from the one
  // written last, so that a restart resumes it. Deadlines that moved when a pause ended were
  // shifted by it (kept as they are at a rebuild); deadlines that moved otherwise were
  // recomputed from arrival (a new priority) and are recomputed again at a rebuild.
  void keep_sla_clock(store::Id id) {
    const auto view = engine->conversation(id);
    const auto kept = sla_clocks.find(id);
    if (!view || kept == sla_clocks.end()) return;
    store::SlaClock now_clock{view->deadlines.first_response_due, view->deadlines.resolution_due,
                              view->deadlines.resolution_max_due, view->paused_since,
                              kept->second.deadlines_shifted};
    const auto& was = kept->second;
    const bool moved = now_clock.first_response_due != was.first_response_due ||
                       now_clock.resolution_due != was.resolution_due ||
                       now_clock.resolution_max_due != was.resolution_max_due;
    if (moved) now_clock.deadlines_shifted = was.paused_since && !now_clock.paused_since;
    if (!moved && now_clock.paused_since == was.paused_since) return;
    kept->second = now_clock;
    store.set_sla_clock(id, now_clock, log_failure("keep the SLA clock"));
  }

  // What the transcript shows as already raised (`sla.<timer kind>` events): a rebuild does not
  // warn, breach or escalate to the same people again.
  // The last progress reminder's slot (its due_at) lets the reminders keep their rhythm.
  void raised_before(store::Id id, routing::ConversationSpec& spec) {
    for (const auto& ev : store.events_of_kind(id, "sla.")) {
      const auto kind = routing::timer_kind_from_string(std::string_view(ev.kind).substr(4));
      if (!kind) continue;
      if (*kind == routing::TimerKind::progress_reminder) {
        const auto data = nlohmann::json::parse(ev.data_json, nullptr, false);
        if (data.is_object() && data.contains("due_at") && data["due_at"].is_number_integer())
          spec.last_progress_reminder = std::max(spec.last_progress_reminder.value_or(0),
                                                 data["due_at"].get<store::UnixMs>());
        continue;
      }
      spec.raised_before.push_back(*kind);
    }
  }

  // ---- applying the engine's output

  void dispatch(store::UnixMs now) {
    const auto started = std::chrono::steady_clock::now();
    auto [timers, decisions] = engine->tick(now);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    // Only passes that decided something: idle ticks would drown the latency that matters.
    if (!decisions.empty() || !timers.empty())
      metrics.observe("omnigate_routing_decision_seconds",
                      "Time the routing engine takes for a dispatch pass that decides something.",
                      {}, took.count(), decision_buckets());
    for (const auto& t : timers) record_timer(t);
    for (const auto& d : decisions) apply(d);
    refresh_queue_gauge();
    announce_queue_positions();
    publish_availability();
  }

  // The online agents' skills, capacity and load, and the queue per instance: what
  // channel_availability answers from on other threads until the next pass.
  void publish_availability() {
    auto snapshot = std::make_shared<AvailabilitySnapshot>();
    snapshot->capacity_defaults = policy.capacity;
    for (const auto& id : agents) {
      const auto view = engine->agent(id);
      const auto spec = agent_specs.find(id);
      if (!view || view->presence != routing::Presence::online || spec == agent_specs.end())
        continue;
      AvailabilitySnapshot::Agent a;
      a.skills = spec->second.skills;
      for (const auto& [kind, n] : spec->second.capacity) a.capacity[kind.name()] = n;
      a.load = load_by_kind(*view);
      a.total_capacity =
          spec->second.total_capacity > 0 ? spec->second.total_capacity : policy.capacity.total;
      a.total_load = view->total_load;
      snapshot->online.push_back(std::move(a));
    }
    for (const auto& [id, q] : tracked) {
      const auto view = engine->conversation(id);
      if (!view || view->state != routing::ConversationState::queued) continue;
      ++snapshot->waiting_by_instance[q.channel_instance];
      ++snapshot->waiting;
    }
    snapshot->pace_ms = wait_estimate.pace_ms(steady_ms());
    availability.publish(std::move(snapshot));
  }

  // A pass takes microseconds; the default (request-sized) buckets would put all in the first.
  static const std::vector<double>& decision_buckets() {
    static const std::vector<double> buckets = {0.00001, 0.00005, 0.0001, 0.0005, 0.001,
                                                0.005,   0.01,    0.05,   0.1,    0.5};
    return buckets;
  }

  void apply(const routing::Decision& d) {
    if (d.kind == routing::DecisionKind::offer) {
      // The engine offered at expires_at - timeout (the dispatch pass's now).
      if (const auto q = tracked.find(d.conversation); q != tracked.end())
        offers[d.conversation] = {q->second, d.agent, d.expires_at - policy.reservation_timeout_ms,
                                  d.expires_at, d.reason};
      store.add_event(
          {d.conversation, "conversation.offered", "system",
           nlohmann::json{{"agent", d.agent}, {"reason", d.reason}, {"expires_at", d.expires_at}}
               .dump(),
           clock()},
          [](store::Outcome<store::Id>) {});
      publish_conversation("conversation.offered", d.conversation, clock(), d.agent, d.reason,
                           d.expires_at);
      return;
    }
    publish_conversation("conversation.assigned", d.conversation, clock(), d.agent, d.reason);
    wait_estimate.departed(steady_ms());
    metrics.counter_add("omnigate_conversations_assigned_total",
                        "Conversations the routing engine assigned to an agent.", {});
    store.assign_conversation(
        d.conversation, d.agent, reason_json(d.reason, d.agent),
        announce_after(store::conversation_change(store::ConversationChange::Kind::assigned,
                                                  d.conversation, d.agent),
                       log_failure("assign conversation " + std::to_string(d.conversation))));
  }

  void record_timer(const routing::TimerEvent& t) {
    if (t.kind == routing::TimerKind::reservation_expired) offers.erase(t.conversation);
    nlohmann::json data = {{"target", t.target}, {"reason", t.reason}, {"due_at", t.due_at}};
    if (t.agent) data["agent"] = *t.agent;
    store.add_event({t.conversation, std::string("sla.") + routing::to_string(t.kind), "system",
                     data.dump(), clock()},
                    [](store::Outcome<store::Id>) {});
    if (t.kind == routing::TimerKind::escalation && escalation_listener)
      escalation_listener(t.conversation, t.due_at, t.reason);
    if (!listening()) return;
    if (auto e = conversation_event(std::string("sla.") + routing::to_string(t.kind),
                                    t.conversation, clock())) {
      e->agent = t.agent.value_or("");
      e->agent_team = agent_team(e->agent);
      e->reason = t.reason;
      e->target = t.target;
      e->due_at = t.due_at;
      publish(*e);
    }
  }

  // Presence into the engine; conversations it took away from the agent go back to the queue in
  // the store too.
  void apply_presence(const std::string& agent_id, routing::Presence presence, store::UnixMs now) {
    const auto before = engine->agent(agent_id);
    if (auto st = engine->set_presence(agent_id, presence, now); !st) {
      log(LogLevel::warn, kComponent, "presence of " + agent_id + ": " + st.error);
      return;
    }
    const auto after = engine->agent(agent_id);
    if (!before || !after) return;
    for (const auto id : before->conversations) {
      const auto& still = after->conversations;
      if (std::find(still.begin(), still.end(), id) != still.end()) continue;
      keep_sla_clock(id);  // a pause on the customer ends in the queue
      const std::string why = "agent " + agent_id + " went " + routing::to_string(presence);
      store.requeue_conversation(
          id, "system", reason_json(why, ""),
          announce_after(store::conversation_change(store::ConversationChange::Kind::transferred,
                                                    id, "", agent_id),
                         log_failure("re-queue conversation " + std::to_string(id))));
      publish_conversation("conversation.requeued", id, now, agent_id, why);
    }
    publish_presence(agent_id, now);
  }

  // The offer of `conversation_id` to `agent_id`, if the engine still holds it and it has not
  // expired (an expired one may still wait for the next tick to be re-queued).
  const PendingOffer* pending_offer(store::Id conversation_id, const std::string& agent_id,
                                    store::UnixMs now) const {
    const auto it = offers.find(conversation_id);
    if (it == offers.end() || it->second.agent_id != agent_id || now > it->second.expires_at)
      return nullptr;
    const auto view = engine ? engine->conversation(conversation_id) : std::nullopt;
    if (!view || view->state != routing::ConversationState::offered || view->agent != agent_id)
      return nullptr;
    return &it->second;
  }

  // The agent's own step (conversation.accepted / conversation.picked), then the assignment it
  // led to: one writer, in order, so the transcript reads "accepted, then assigned".
  void record_taken(store::Id conversation_id, const std::string& agent_id,
                    const std::string& actor, const std::string& event_kind,
                    const std::string& reason, AgentActionDone done) {
    store.add_event(
        {conversation_id, event_kind, actor, nlohmann::json{{"agent", agent_id}}.dump(), clock()},
        [event_kind](store::Outcome<store::Id> r) {
          if (!r.ok)
            log(LogLevel::error, kComponent, "cannot record " + event_kind + ": " + r.error);
        });
    publish_conversation("conversation.assigned", conversation_id, clock(), agent_id, reason);
    wait_estimate.departed(steady_ms());
    store.assign_conversation(
        conversation_id, agent_id, reason_json(reason, agent_id),
        announce_after(store::conversation_change(store::ConversationChange::Kind::assigned,
                                                  conversation_id, agent_id),
                       [done](store::Outcome<store::Nothing> r) {
                         if (!r.ok) return done({AgentActionResult::Kind::store_failed, r.error});
                         done({});
                       }));
    refresh_queue_gauge();
  }

  std::shared_ptr<const std::vector<config::TierRule>> current_rules() const {
    std::lock_guard lock(rules_mu);
    return rules;
  }

  // The tier rules for the customer of a new conversation. When they change the customer, the
  // conversation is tracked once that change is committed (so it enters the queue with its new
  // tier and account) and true is returned; false: nothing to change, track it now.
  bool apply_tier_rules(const store::Conversation& c) {
    const auto rule_set = current_rules();
    if (rule_set->empty()) return false;
    const auto customer = store.get_customer(c.customer_id);
    if (!customer) return false;
    auto update = tier_rule_update(*rule_set, *customer);
    if (!update) return false;
    std::weak_ptr<State> weak = shared_from_this();
    const auto id = c.id;
    store.update_customer(std::move(*update), [weak, id](store::Outcome<store::CustomerChange> r) {
      auto self = weak.lock();
      if (!self) return;
      if (!r.ok) log(LogLevel::error, kComponent, "cannot apply tier rules: " + r.error);
      self->on_strand([id, r = std::move(r)](State& s) {
        if (!s.engine) return;
        const auto now = s.clock();
        if (r.ok) s.reposition(r.value, now);
        const auto conv = s.store.get_conversation(id);
        if (conv && (conv->status == store::ConversationStatus::queued ||
                     conv->status == store::ConversationStatus::assigned ||
                     conv->status == store::ConversationStatus::waiting_customer))
          s.track(*conv, now);
        s.dispatch(now);
      });
    });
    return true;
  }

  // Queued conversations of a changed customer leave the engine and come back with the new tier
  // and account at their original arrival time; those with an agent keep it (and their SLA).
  void reposition(const store::CustomerChange& change, store::UnixMs now) {
    for (const auto id : change.open_conversations) {
      const auto view = engine->conversation(id);
      if (!tracked.count(id) || !view || view->state != routing::ConversationState::queued)
        continue;
      const auto c = store.get_conversation(id);  // committed: carries the new tier
      if (!c) continue;
      engine->remove(id, now);
      tracked.erase(id);
      // The new tier's deadlines, from arrival (a queued conversation is not paused).
      auto requeued = *c;
      requeued.sla_deadlines_shifted = false;
      track(requeued, now);
    }
  }

  // The store has committed the resolution: the channel is told, the agent's capacity freed
  // (their wrap-up starts, engine policy), and the queue dispatched.
  void apply_resolved(store::Id conversation_id) {
    offers.erase(conversation_id);
    auto event = conversation_event("conversation.resolved", conversation_id, clock());
    if (!engine || !tracked.erase(conversation_id)) return;
    sla_clocks.erase(conversation_id);
    const auto now = clock();
    const auto view = engine->conversation(conversation_id);
    if (conversation_listener)
      conversation_listener(
          store::conversation_change(store::ConversationChange::Kind::resolved, conversation_id,
                                     view ? view->agent.value_or("") : std::string()));
    if (view && view->state == routing::ConversationState::queued)
      engine->remove(conversation_id, now);
    else
      engine->finish(conversation_id, now);
    if (event && view) {
      event->state = "resolved";
      event->waiting.reset();
      event->agent = view->agent.value_or("");
      event->agent_team = agent_team(event->agent);
      publish(*event);
    }
    dispatch(now);
  }

  // ---- what live channels report (store::ChannelAction)

  using ActionDone = std::function<void(store::ChannelActionOutcome)>;

  static store::Completion<store::Nothing> outcome_to(ActionDone done) {
    return [done = std::move(done)](store::Outcome<store::Nothing> r) {
      done({r.ok, r.ok ? std::string() : r.error});
    };
  }

  void channel_action(const store::ChannelAction& a, const ActionDone& done) {
    using Kind = store::ChannelAction::Kind;
    const auto id = a.conversation_id;
    const std::string which = "conversation " + std::to_string(id);
    auto data = nlohmann::json::parse(a.data_json.empty() ? std::string("{}") : a.data_json,
                                      nullptr, false);
    if (!data.is_object()) return done({false, "data_json must be a JSON object"});
    if (!a.reason.empty()) data["reason"] = a.reason;
    const auto conv = store.get_conversation(id);
    if (!conv) return done({false, "unknown " + which});
    const bool ended = conv->status == store::ConversationStatus::resolved ||
                       conv->status == store::ConversationStatus::closed;
    // A caller who hangs up after the end changes nothing: not the channel's error.
    if (a.kind == Kind::abandoned && ended) return done({});
    if (ended) return done({false, which + " is " + store::to_string(conv->status)});
    const auto now = clock();
    const std::string actor = "channel:" + a.instance;
    const std::string agent = engine ? holder(id) : std::string();
    switch (a.kind) {
      case Kind::answered: {
        if (engine && tracked.count(id)) engine->record_first_response(id, now);
        const std::string answered_by = agent.empty() ? conv->assigned_agent.value_or("") : agent;
        if (!answered_by.empty()) data["agent"] = answered_by;
        store.record_channel_outcome(
            {{id, "conversation.answered", actor, data.dump(), now}, {}, true}, outcome_to(done));
        publish_conversation("conversation.answered", id, now, answered_by,
                             "answered on " + a.instance);
        return;
      }
      case Kind::requeue:
        return requeue_for_channel(a, *conv, std::move(data), actor, now, done);
      case Kind::abandoned:
        return abandon(a, *conv, std::move(data), actor, now, done);
      case Kind::ended: {
        if (!agent.empty()) data["agent"] = agent;
        std::weak_ptr<State> weak = shared_from_this();
        store.record_channel_outcome({{id, "conversation.resolved", actor, data.dump(), now},
                                      store::ConversationStatus::resolved,
                                      false},
                                     [weak, id, done](store::Outcome<store::Nothing> r) {
                                       auto self = weak.lock();
                                       if (r.ok && self)
                                         self->on_strand([id](State& s) { s.apply_resolved(id); });
                                       done({r.ok, r.ok ? std::string() : r.error});
                                     });
        return;
      }
      case Kind::transfer:
        return transfer_for_channel(a, std::move(data), actor, now, done);
    }
    done({false, "unknown action kind"});
  }

  // The agent holding it did not take it (a call not answered): back to the queue at its place,
  // never to that agent again; the next dispatch offers it to another (ASSIGNED follows).
  void requeue_for_channel(const store::ChannelAction& a, const store::Conversation& conv,
                           nlohmann::json data, const std::string& actor, store::UnixMs now,
                           const ActionDone& done) {
    const auto id = conv.id;
    if (!engine || !tracked.count(id))
      return done({false, "conversation " + std::to_string(id) + " is not routed"});
    const std::string previous = holder(id);
    if (auto st = engine->return_to_queue(id, a.agent_id, now); !st) return done({false, st.error});
    keep_sla_clock(id);  // a pause on the customer ends in the queue
    offers.erase(id);
    const std::string agent = a.agent_id.empty() ? previous : a.agent_id;
    data["agent"] = agent;
    auto then = outcome_to(done);
    if (!previous.empty())
      then = announce_after(store::conversation_change(store::ConversationChange::Kind::transferred,
                                                       id, "", previous),
                            std::move(then));
    store.requeue_conversation(id, actor, data.dump(), std::move(then));
    publish_conversation("conversation.requeued", id, now, agent,
                         agent + " did not take it" + (a.reason.empty() ? "" : ": " + a.reason));
    dispatch(now);  // written after the re-queue: the transcript reads "re-queued, then assigned"
  }

  // The customer left before being served: out of routing, closed, with how long they waited.
  void abandon(const store::ChannelAction& a, const store::Conversation& conv, nlohmann::json data,
               const std::string& actor, store::UnixMs now, const ActionDone& done) {
    const auto id = conv.id;
    const std::string agent = holder(id);
    if (!agent.empty()) data["agent"] = agent;
    if (!data.contains("wait_ms") || !data["wait_ms"].is_number_integer())
      data["wait_ms"] = std::max<store::UnixMs>(
          0, now - (conv.queued_at != 0 ? conv.queued_at : conv.created_at));
    publish_conversation("conversation.abandoned", id, now, agent, "abandoned on " + a.instance);
    if (engine && tracked.erase(id)) engine->remove(id, now);
    sla_clocks.erase(id);
    offers.erase(id);
    store.record_channel_outcome(
        {{id, "conversation.abandoned", actor, data.dump(), now},
         store::ConversationStatus::closed,
         false},
        announce_after(
            store::conversation_change(store::ConversationChange::Kind::closed, id, agent),
            outcome_to(done)));
    refresh_queue_gauge();
    dispatch(now);  // its agent, if it had one, is free again
  }

  void transfer_for_channel(const store::ChannelAction& a, nlohmann::json data,
                            const std::string& actor, store::UnixMs now, const ActionDone& done) {
    const auto id = a.conversation_id;
    if (!engine || !tracked.count(id))
      return done({false, "conversation " + std::to_string(id) + " is not routed"});
    if (a.agent_id.empty()) return done({false, "a transfer needs the target agent"});
    const std::string previous = holder(id);
    if (auto st = engine->transfer_to_agent(id, a.agent_id, now); !st)
      return done({false, st.error});
    offers.erase(id);
    const bool warm = data.value("mode", std::string()) == "warm";
    data["agent"] = a.agent_id;
    if (!previous.empty()) data["from"] = previous;
    store.add_event({id, "conversation.transferred", actor, data.dump(), now},
                    [](store::Outcome<store::Id> r) {
                      if (!r.ok)
                        log(LogLevel::error, kComponent, "cannot record a transfer: " + r.error);
                    });
    const std::string why = "transferred to " + a.agent_id + " by " + actor;
    store.assign_conversation(
        id, a.agent_id, reason_json(why, a.agent_id),
        announce_after(transfer_change(id, a.agent_id, previous, warm, actor), outcome_to(done)));
    publish_conversation("conversation.transferred", id, now, a.agent_id, why);
    refresh_queue_gauge();
  }

  // ---- reclassification (the store has committed it; the engine follows)

  // The agent holding a tracked conversation ("" = none, or not tracked).
  std::string holder(store::Id id) const {
    const auto view = engine ? engine->conversation(id) : std::nullopt;
    return view ? view->agent.value_or("") : std::string();
  }
  // The same, but only once assigned: an agent merely offered it is not told its messages.
  std::string assigned_agent(store::Id id) const {
    const auto view = engine ? engine->conversation(id) : std::nullopt;
    if (!view || view->state == routing::ConversationState::queued ||
        view->state == routing::ConversationState::offered)
      return {};
    return view->agent.value_or("");
  }

  void apply_priority(store::Id id, int priority, const std::string& why, store::UnixMs now) {
    if (!engine || !tracked.count(id)) return;  // not routed (resolved meanwhile, unroutable)
    if (auto st = engine->set_priority(id, priority, now); !st) {
      log(LogLevel::warn, kComponent, "conversation " + std::to_string(id) + ": " + st.error);
      return;
    }
    auto& q = tracked[id];
    q.priority = priority;
    if (const auto d = engine->sla_deadlines(id)) q.first_response_due = d->first_response_due;
    keep_sla_clock(id);
    publish_conversation("conversation.priority_changed", id, now, holder(id), why);
    refresh_queue_gauge();
    dispatch(now);  // a raised priority may now go before others to a free agent
  }

  // ---- the supervisors' live view and event stream (docs/api.md "Live queue", "Event stream")

  std::string agent_team(const std::string& agent_id) const {
    const auto it = agent_teams.find(agent_id);
    return it == agent_teams.end() ? std::string() : it->second;
  }

  // The queue entry of a tracked conversation that waits (queued or offered) at `now`.
  std::optional<QueuedConversation> waiting_entry(store::Id id, store::UnixMs now) const {
    const auto q = tracked.find(id);
    const auto view = engine ? engine->conversation(id) : std::nullopt;
    if (q == tracked.end() || !view) return std::nullopt;
    if (view->state != routing::ConversationState::queued &&
        view->state != routing::ConversationState::offered)
      return std::nullopt;
    QueuedConversation out = q->second;
    if (view->state == routing::ConversationState::offered) {
      out.state = "offered";
      out.offered_to = view->agent.value_or("");
      if (const auto o = offers.find(id); o != offers.end())
        out.offer_expires_at = o->second.expires_at;
    }
    if (const auto t = policy.teams.find(out.team);
        !out.team.empty() && t != policy.teams.end() && t->second.overflow_after_ms > 0) {
      out.overflow_at = out.queued_at + t->second.overflow_after_ms;
      out.overflow_teams = t->second.overflow_to;
    }
    // The engine's deadline, which moves when the clock pauses.
    set_first_response_sla(out, view->first_response_done ? 0 : view->deadlines.first_response_due,
                           policy.calendar_for(*routing::tier_from_string(out.tier)),
                           policy.sla.warn_before_ms, now);
    return out;
  }

  std::vector<AgentLoad> agent_loads_now() const {
    std::vector<AgentLoad> out;
    for (const auto& id : agents) {
      const auto view = engine ? engine->agent(id) : std::nullopt;
      if (!view) continue;
      AgentLoad load{id, routing::to_string(view->presence), load_by_kind(*view), view->total_load,
                     std::nullopt};
      // The engine ends a wrap-up on its next tick; one already over is not shown.
      if (view->wrap_up_until && *view->wrap_up_until > clock()) {
        load.presence = "wrap_up";
        load.wrap_up_until = view->wrap_up_until;
      }
      out.push_back(std::move(load));
    }
    return out;
  }

  LiveView live_view_at(store::UnixMs now) const {
    LiveView v;
    v.at = now;
    for (const auto& [id, q] : tracked)
      if (auto w = waiting_entry(id, now)) v.waiting.push_back(std::move(*w));
    v.agents = agent_loads_now();
    return v;
  }

  // A conversation event with what the stream's filters and the console need; nullopt for a
  // conversation the engine does not track.
  std::optional<LiveEvent> conversation_event(std::string type, store::Id id,
                                              store::UnixMs now) const {
    const auto q = tracked.find(id);
    const auto view = engine ? engine->conversation(id) : std::nullopt;
    if (q == tracked.end() || !view) return std::nullopt;
    LiveEvent e;
    e.type = std::move(type);
    e.at = now;
    e.conversation_id = id;
    e.team = q->second.team;
    e.tier = q->second.tier;
    e.priority = q->second.priority;
    e.channel_kind = q->second.channel_kind;
    e.state = routing::to_string(view->state);
    e.waiting = waiting_entry(id, now);
    return e;
  }

  // Events are built only for someone: with nobody subscribed a decision costs nothing more.
  // Subscribers join on this strand (live_view), so none can appear halfway through.
  bool listening() const { return live && !rebuilding && live->subscriber_count() > 0; }

  void publish(const LiveEvent& e) {
    if (listening()) live->publish(e);
  }

  void publish_conversation(std::string type, store::Id id, store::UnixMs now,
                            const std::string& agent, const std::string& reason,
                            store::UnixMs expires_at = 0) {
    if (!listening()) return;
    auto e = conversation_event(std::move(type), id, now);
    if (!e) return;
    e->agent = agent;
    e->agent_team = agent_team(agent);
    e->reason = reason;
    e->expires_at = expires_at;
    publish(*e);
  }

  void publish_presence(const std::string& agent_id, store::UnixMs now) {
    if (!listening()) return;
    const auto view = engine->agent(agent_id);
    if (!view) return;
    LiveEvent e;
    e.type = "agent.presence";
    e.at = now;
    e.agent = agent_id;
    e.agent_team = agent_team(agent_id);
    e.presence = routing::to_string(view->presence);
    e.load = load_by_kind(*view);
    publish(e);
  }

  // A completion that first tells the channels about `change` once it is committed (on the
  // writer thread: the listener only queues it).
  store::Completion<store::Nothing> announce_after(store::ConversationChange change,
                                                   store::Completion<store::Nothing> then) {
    if (!conversation_listener) return then;
    return [listener = conversation_listener, change = std::move(change),
            then = std::move(then)](store::Outcome<store::Nothing> r) {
      if (r.ok) listener(change);
      then(std::move(r));
    };
  }

  // Positions of the queued conversations: by priority, then arrival (the dispatcher's estimate
  // of the engine's order, which also weighs tiers, skills and teams). Announces the ones that
  // moved, at most once per kQueueNoticeInterval; a later dispatch picks up what was skipped.
  void announce_queue_positions() {
    if (!conversation_listener || !engine || rebuilding) return;
    positions_stale = true;
    const auto now = std::chrono::steady_clock::now();
    if (now - positions_at < kQueueNoticeInterval) return;
    positions_at = now;
    positions_stale = false;
    std::vector<const QueuedConversation*> queued;
    for (const auto& [id, q] : tracked) {
      const auto view = engine->conversation(id);
      if (view && view->state == routing::ConversationState::queued) queued.push_back(&q);
    }
    std::sort(queued.begin(), queued.end(), [](const auto* a, const auto* b) {
      return std::tie(a->priority, a->queued_at, a->conversation_id) <
             std::tie(b->priority, b->queued_at, b->conversation_id);
    });
    std::map<store::Id, std::pair<int, std::int64_t>> positions;
    const std::int64_t now_ms = steady_ms();
    for (std::size_t i = 0; i < queued.size(); ++i) {
      const auto id = queued[i]->conversation_id;
      const int position = static_cast<int>(i) + 1;
      const std::int64_t wait = wait_estimate.expected_wait_ms(position, now_ms);
      positions[id] = {position, wait};
      const auto before = announced_positions.find(id);
      if (before != announced_positions.end() && before->second.first == position &&
          !wait_moved(before->second.second, wait)) {
        continue;
      }
      store::ConversationChange change;
      change.kind = store::ConversationChange::Kind::queue_changed;
      change.conversation_id = id;
      change.queue_position = position;
      change.expected_wait_ms = wait;
      conversation_listener(change);
    }
    announced_positions = std::move(positions);
  }

  void refresh_queue_gauge() {
    std::map<std::pair<std::string, int>, int> counts;
    for (const auto& [id, q] : tracked) {
      const auto view = engine->conversation(id);
      if (view && view->state == routing::ConversationState::queued)
        counts[{q.tier, q.priority}] += 1;
    }
    std::lock_guard lock(queue_mu);
    // Keep series that dropped to zero at zero instead of letting them vanish.
    for (auto& [key, n] : queue_length) n = 0;
    for (const auto& [key, n] : counts) queue_length[key] = n;
  }

  void schedule_tick() {
    if (!running) return;
    std::weak_ptr<State> weak = shared_from_this();
    tick_timer = strand->post_after(kTickInterval, [weak] {
      auto self = weak.lock();
      if (!self || !self->running) return;
      self->dispatch(self->clock());
      if (self->positions_stale) self->announce_queue_positions();
      self->schedule_tick();
    });
  }

  static store::Completion<store::Nothing> log_failure(std::string what) {
    return [what = std::move(what)](store::Outcome<store::Nothing> r) {
      if (!r.ok) log(LogLevel::error, kComponent, "cannot " + what + ": " + r.error);
    };
  }
};

RoutingDispatcher::RoutingDispatcher(store::Store& store, Executor& executor, Metrics& metrics,
                                     const std::string& policy_json)
    : state_(
          std::make_shared<State>(store, executor, metrics, parse_policy_or_throw(policy_json))) {
  std::weak_ptr<State> weak = state_;
  metrics.add_collector([weak](Metrics& m) {
    auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->queue_mu);
    for (const auto& [key, n] : self->queue_length)
      m.gauge_set("omnigate_queue_length", "Conversations waiting for an agent.",
                  {{"tier", key.first}, {"priority", "P" + std::to_string(key.second)}}, n);
  });
}

RoutingDispatcher::~RoutingDispatcher() {
  stop();
}

void RoutingDispatcher::publish_to(std::shared_ptr<LivePublisher> live) {
  state_->live = std::move(live);
}

void RoutingDispatcher::on_escalation(EscalationListener listener) {
  state_->escalation_listener = std::move(listener);
}

void RoutingDispatcher::notify_conversations(store::ConversationListener listener) {
  state_->conversation_listener = std::move(listener);
}

void RoutingDispatcher::agent_typing(store::Id conversation_id, const std::string& agent_id) {
  if (!state_->conversation_listener) return;
  store::ConversationChange change;
  change.kind = store::ConversationChange::Kind::agent_typing;
  change.conversation_id = conversation_id;
  change.agent_id = agent_id;
  state_->conversation_listener(change);
}

void RoutingDispatcher::use_clock(std::function<store::UnixMs()> clock) {
  state_->clock = std::move(clock);
}

void RoutingDispatcher::start() {
  if (state_->running.exchange(true)) return;
  state_->on_strand([](State& s) {
    s.rebuild();
    s.schedule_tick();
  });
}

void RoutingDispatcher::stop() {
  if (!state_->running.exchange(false)) return;
  state_->on_strand([](State& s) { s.strand->cancel(s.tick_timer); });
}

void RoutingDispatcher::on_inbound(const std::string& instance, const store::IngestResult& result,
                                   bool customer_message) {
  if (result.duplicate || result.conversation_id == 0) return;
  const store::Id message_id = customer_message ? result.message_id : 0;
  if (!state_->inbound.push(
          {result.conversation_id, instance, result.new_conversation, message_id}))
    return;  // the posted drain takes it
  state_->on_strand([](State& s) { s.drain_inbound(); });
}

void RoutingDispatcher::customer_signal(store::Id conversation_id, const std::string& kind,
                                        const std::string& data_json) {
  // Ephemeral: nobody listening, nothing to do (not even a strand post).
  if (!state_->live || state_->live->subscriber_count() == 0) return;
  state_->on_strand([conversation_id, kind, data_json](State& s) {
    if (!s.listening()) return;
    auto e = s.conversation_event("customer.signal", conversation_id, s.clock());
    if (!e) return;  // not open in routing (resolved, closed): nobody handles it
    e->agent = s.assigned_agent(conversation_id);
    e->agent_team = s.agent_team(e->agent);
    e->signal = kind;
    e->signal_data_json = data_json;
    s.publish(*e);
  });
}

ChannelAvailability RoutingDispatcher::channel_availability(
    const std::string& instance, const std::string& channel_kind,
    const std::vector<routing::SkillRequirement>& skills) const {
  return state_->availability.query(instance, channel_kind, skills);
}

void RoutingDispatcher::reload_policy(const std::string& policy_json) {
  auto policy = parse_policy_or_throw(policy_json);
  state_->on_strand([policy = std::move(policy)](State& s) mutable {
    s.policy = std::move(policy);
    // The store is the truth for agents and conversations; a fresh engine under the new policy
    // rebuilt from it routes exactly as a restart would.
    if (s.engine) s.rebuild();
    log(LogLevel::info, kComponent, "routing policy reloaded");
  });
}

void RoutingDispatcher::set_presence(const std::string& agent_id, store::Presence presence,
                                     DispatchDone done) {
  auto state = state_;
  state_->store.set_agent_presence(
      agent_id, presence, [state, agent_id, presence, done](store::Outcome<store::Nothing> r) {
        if (!r.ok) {
          done("cannot store presence: " + r.error);
          return;
        }
        state->on_strand([agent_id, presence, done](State& s) {
          if (!s.engine) {
            done("");
            return;
          }
          const auto now = s.clock();
          if (!s.agents.count(agent_id)) {
            // An agent seeded after start(): learn its profile now.
            if (auto a = s.store.get_agent(agent_id)) s.add_agent(*a, now);
          }
          s.apply_presence(agent_id, to_routing(presence), now);
          s.dispatch(now);
          done("");
        });
      });
}

void RoutingDispatcher::resolved(store::Id conversation_id) {
  state_->on_strand([conversation_id](State& s) { s.apply_resolved(conversation_id); });
}

void RoutingDispatcher::replied(store::Id conversation_id) {
  state_->on_strand([conversation_id](State& s) {
    if (!s.engine || !s.tracked.count(conversation_id)) return;
    const auto now = s.clock();
    s.engine->record_first_response(conversation_id, now);
    s.engine->waiting_on_customer(conversation_id, now);
    s.keep_sla_clock(conversation_id);
  });
}

void RoutingDispatcher::transfer_to_agent(store::Id conversation_id, const std::string& agent_id,
                                          const std::string& actor, bool warm, DispatchDone done) {
  state_->on_strand([conversation_id, agent_id, actor, warm, done](State& s) {
    if (!s.engine || !s.tracked.count(conversation_id)) {
      done("conversation " + std::to_string(conversation_id) + " is not open");
      return;
    }
    const auto before = s.engine->conversation(conversation_id);
    const std::string previous = before ? before->agent.value_or("") : std::string();
    if (auto st = s.engine->transfer_to_agent(conversation_id, agent_id, s.clock()); !st) {
      done(st.error);
      return;
    }
    s.offers.erase(conversation_id);
    const std::string why =
        std::string(warm ? "warm" : "cold") + " transfer to " + agent_id + " by " + actor;
    s.store.assign_conversation(
        conversation_id, agent_id, reason_json(why, agent_id),
        s.announce_after(transfer_change(conversation_id, agent_id, previous, warm, actor),
                         [done](store::Outcome<store::Nothing> r) { done(r.ok ? "" : r.error); }));
    s.publish_conversation("conversation.transferred", conversation_id, s.clock(), agent_id, why);
    s.refresh_queue_gauge();
  });
}

void RoutingDispatcher::transfer_to_team(store::Id conversation_id, const std::string& team,
                                         const std::string& actor, DispatchDone done) {
  state_->on_strand([conversation_id, team, actor, done](State& s) {
    if (!s.engine || !s.tracked.count(conversation_id)) {
      done("conversation " + std::to_string(conversation_id) + " is not open");
      return;
    }
    const auto now = s.clock();
    const auto before = s.engine->conversation(conversation_id);
    const std::string previous = before ? before->agent.value_or("") : std::string();
    if (auto st = s.engine->transfer_to_team(conversation_id, team, now); !st) {
      done(st.error);
      return;
    }
    auto& tracked = s.tracked[conversation_id];
    const std::string previous_team = tracked.team;
    tracked.team = team;
    if (auto e = s.conversation_event("conversation.transferred", conversation_id, now)) {
      e->previous_team = previous_team;
      e->reason = "transferred to team " + team + " by " + actor;
      s.publish(*e);
    }
    // The team and the re-queue are written before any assignment the dispatch below makes (one
    // writer, in order), so the transcript reads "re-queued, then assigned".
    s.store.set_conversation_team(conversation_id, team, [](store::Outcome<store::Nothing> r) {
      if (!r.ok) log(LogLevel::warn, kComponent, "storing a transferred team: " + r.error);
    });
    s.store.requeue_conversation(
        conversation_id, actor, reason_json("transferred to team " + team + " by " + actor, ""),
        s.announce_after(transfer_change(conversation_id, "", previous, false, actor),
                         [done](store::Outcome<store::Nothing> r) { done(r.ok ? "" : r.error); }));
    s.dispatch(now);
  });
}

void RoutingDispatcher::set_priority(store::Id conversation_id, int priority,
                                     const std::string& reason, const std::string& actor,
                                     DispatchDone done) {
  state_->on_strand([conversation_id, priority, reason, actor, done](State& s) {
    std::weak_ptr<State> weak = s.shared_from_this();
    s.store.set_conversation_priority(
        {conversation_id, priority, reason, actor, s.clock()},
        [weak, conversation_id, priority, reason, actor, done](store::Outcome<int> r) {
          auto self = weak.lock();
          if (!r.ok || !self) return done(r.ok ? "" : r.error);
          const std::string why = "priority P" + std::to_string(r.value) + " to P" +
                                  std::to_string(priority) + " by " + actor + ": " + reason;
          self->on_strand([conversation_id, priority, why, done](State& routing) {
            routing.apply_priority(conversation_id, priority, why, routing.clock());
            done("");
          });
        });
  });
}

void RoutingDispatcher::accept_offer(store::Id conversation_id, const std::string& agent_id,
                                     const std::string& actor, AgentActionDone done) {
  state_->on_strand([conversation_id, agent_id, actor, done](State& s) {
    const auto now = s.clock();
    const auto* offer = s.pending_offer(conversation_id, agent_id, now);
    if (!offer) {
      done(no_pending_offer(conversation_id, agent_id));
      return;
    }
    // The engine checks the expiry again against the same clock.
    if (auto st = s.engine->accept(agent_id, conversation_id, now); !st) {
      done({AgentActionResult::Kind::conflict, st.error});
      return;
    }
    const std::string reason = "accepted the offer: " + offer->reason;
    s.offers.erase(conversation_id);
    s.record_taken(conversation_id, agent_id, actor, "conversation.accepted", reason, done);
  });
}

void RoutingDispatcher::decline_offer(store::Id conversation_id, const std::string& agent_id,
                                      const std::string& actor, AgentActionDone done) {
  state_->on_strand([conversation_id, agent_id, actor, done](State& s) {
    const auto now = s.clock();
    if (!s.pending_offer(conversation_id, agent_id, now)) {
      done(no_pending_offer(conversation_id, agent_id));
      return;
    }
    if (auto st = s.engine->decline(agent_id, conversation_id, now); !st) {
      done({AgentActionResult::Kind::conflict, st.error});
      return;
    }
    s.offers.erase(conversation_id);
    s.store.add_event({conversation_id, "conversation.declined", actor,
                       nlohmann::json{{"agent", agent_id}}.dump(), now},
                      [done](store::Outcome<store::Id> r) {
                        if (!r.ok) return done({AgentActionResult::Kind::store_failed, r.error});
                        done({});
                      });
    s.dispatch(now);  // the offer goes to the next agent, written after the decline
  });
}

void RoutingDispatcher::pick(store::Id conversation_id, const std::string& agent_id,
                             const std::string& actor, AgentActionDone done) {
  state_->on_strand([conversation_id, agent_id, actor, done](State& s) {
    if (!s.policy.manual_pick) {
      done({AgentActionResult::Kind::not_allowed,
            "manual pick is disabled by the routing policy (routing.manual_pick)"});
      return;
    }
    if (!s.engine || !s.tracked.count(conversation_id)) {
      done({AgentActionResult::Kind::conflict,
            "conversation " + std::to_string(conversation_id) + " is not open"});
      return;
    }
    if (auto st = s.engine->pick(agent_id, conversation_id, s.clock()); !st) {
      done({AgentActionResult::Kind::conflict, st.error});
      return;
    }
    s.record_taken(conversation_id, agent_id, actor, "conversation.picked",
                   "picked manually by " + agent_id, done);
  });
}

void RoutingDispatcher::pending_offers(const std::string& agent_id,
                                       std::function<void(std::vector<PendingOffer>)> done) {
  state_->on_strand([agent_id, done](State& s) {
    const auto now = s.clock();
    std::vector<PendingOffer> out;
    for (const auto& [id, offer] : s.offers)
      if ((agent_id.empty() || offer.agent_id == agent_id) &&
          s.pending_offer(id, offer.agent_id, now))
        out.push_back(offer);
    std::sort(out.begin(), out.end(), [](const PendingOffer& a, const PendingOffer& b) {
      return a.offered_at < b.offered_at;
    });
    done(std::move(out));
  });
}

void RoutingDispatcher::live_view(std::function<void(LiveView)> done) {
  state_->on_strand([done](State& s) { done(s.live_view_at(s.clock())); });
}

void RoutingDispatcher::explain(store::Id conversation_id, std::function<void(std::string)> done) {
  state_->on_strand([conversation_id, done](State& s) {
    if (!s.engine || !s.tracked.count(conversation_id)) {
      done("conversation " + std::to_string(conversation_id) +
           " is not open in the routing engine (resolved, closed or unknown)");
      return;
    }
    done(s.engine->explain(conversation_id));
  });
}

void RoutingDispatcher::agent_loads(std::function<void(std::vector<AgentLoad>)> done) {
  state_->on_strand([done](State& s) { done(s.agent_loads_now()); });
}

void RoutingDispatcher::agent_changed(const store::Agent& agent) {
  state_->on_strand([agent](State& s) {
    if (!s.engine) return;
    const auto now = s.clock();
    if (s.agents.count(agent.id)) {
      // Keeps presence and conversations; skills, tiers and capacity apply to the next decision.
      if (auto st = s.engine->upsert_agent(agent_spec(agent), now); !st)
        log(LogLevel::warn, kComponent, "agent " + agent.id + " not updated: " + st.error);
      else
        s.agent_specs[agent.id] = agent_spec(agent);
    } else {
      s.add_agent(agent, now);
      s.apply_presence(agent.id, to_routing(agent.presence), now);
    }
    s.dispatch(now);
  });
}

void RoutingDispatcher::agent_removed(const std::string& agent_id, const std::string& actor,
                                      std::function<void(std::vector<store::Id>)> done) {
  state_->on_strand([agent_id, actor, done](State& s) {
    std::vector<store::Id> requeued;
    const auto now = s.clock();
    const auto view = s.engine ? s.engine->agent(agent_id) : std::nullopt;
    if (view) {
      for (const auto id : view->conversations) {
        auto c = s.store.get_conversation(id);
        s.engine->remove(id, now);
        s.tracked.erase(id);
        s.sla_clocks.erase(id);
        s.store.requeue_conversation(
            id, actor, reason_json("agent " + agent_id + " was removed by " + actor, ""),
            s.announce_after(store::conversation_change(
                                 store::ConversationChange::Kind::transferred, id, "", agent_id),
                             State::log_failure("re-queue conversation " + std::to_string(id))));
        requeued.push_back(id);
        if (!c) continue;
        // Back at its original arrival time; no sticky wait for an agent who is gone.
        c->status = store::ConversationStatus::queued;
        c->assigned_agent.reset();
        c->previous_agent.reset();
        s.track(*c, now);
      }
      // The engine has no removal: an offline agent is never chosen, and a later agent with the
      // same id replaces this profile (agent_changed).
      s.engine->set_presence(agent_id, routing::Presence::offline, now);
      s.agents.erase(agent_id);
      s.agent_specs.erase(agent_id);
      s.dispatch(now);
    }
    done(std::move(requeued));
  });
}

void RoutingDispatcher::customer_changed(const store::CustomerChange& change) {
  state_->on_strand([change](State& s) {
    if (!s.engine) return;
    const auto now = s.clock();
    s.reposition(change, now);
    s.dispatch(now);
  });
}

void RoutingDispatcher::set_tier_rules(std::vector<config::TierRule> rules) {
  auto fresh = std::make_shared<const std::vector<config::TierRule>>(std::move(rules));
  std::lock_guard lock(state_->rules_mu);
  state_->rules = std::move(fresh);
}

std::vector<config::TierRule> RoutingDispatcher::tier_rules() const {
  return *state_->current_rules();
}

void RoutingDispatcher::channel_action(store::ChannelAction action,
                                       std::function<void(store::ChannelActionOutcome)> done) {
  state_->on_strand([action = std::move(action), done = std::move(done)](State& s) {
    s.channel_action(action, done);
  });
}

void RoutingDispatcher::current_policy(std::function<void(routing::Policy)> done) {
  state_->on_strand([done](State& s) { done(s.policy); });
}

void RoutingDispatcher::team_overflow(
    std::function<void(std::map<std::string, TeamOverflow>)> done) {
  state_->on_strand([done](State& s) {
    std::map<std::string, TeamOverflow> out;
    for (const auto& [name, team] : s.policy.teams)
      out[name] = {team.overflow_to, team.overflow_after_ms};
    done(std::move(out));
  });
}

}  // namespace omnigate::dispatch
