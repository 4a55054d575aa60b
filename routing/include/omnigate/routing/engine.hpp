// The routing engine: decides which agent gets every waiting conversation across all
// channels and raises the SLA timers the domain requires. A pure, deterministic state
// machine: no I/O, no threads, no clock of its own — every call takes `now` (Unix ms).
// Not thread-safe: the gateway drives one Engine from one strand and applies its decisions.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnigate/routing/policy.hpp"
#include "omnigate/routing/types.hpp"

namespace omnigate::routing {

struct AgentSpec {
  AgentId id;
  std::string team;
  std::vector<Skill> skills;
  std::vector<Tier> tiers_served;  // empty = every tier
  // Conversations of each kind held at once; kinds it does not name: the policy's
  // capacity.<kind>, else capacity.default. 0 = never gets that kind.
  std::map<ChannelKind, int> capacity;
  int total_capacity = 0;  // 0 = policy default
};

enum class TimerKind;  // below

struct SlaDeadlines {
  UnixMs first_response_due = 0;
  UnixMs resolution_due = 0;
  UnixMs resolution_max_due = 0;
};

struct ConversationSpec {
  ConversationId id = 0;
  Tier tier = Tier::C;
  int priority = 4;                          // 1..4
  ChannelKind channel = ChannelKind::email;  // any non-empty kind
  std::vector<SkillRequirement> skills;      // all of them; the channel itself requires none
  UnixMs arrived_at = 0;                     // queue position and SLA start
  std::optional<AgentId> previous_agent;     // last agent of this customer (sticky routing)
  std::string team;                          // home team; empty = any team
  std::string account_team;                  // customer's dedicated group (A/S tiers)
  std::optional<AgentId> account_manager;    // customer's named manager (B tier, or A/S)
  // SLA warnings and breaches and the at-once escalation raised before (a rebuild, read from
  // the transcript): a warning or breach whose deadline has passed is not raised again, nor is
  // the at-once escalation. One whose deadline now lies ahead (the priority changed) is watched.
  std::vector<TimerKind> raised_before;
  // The SLA deadlines as the clock last left them (a rebuild of a conversation whose deadlines a
  // pause on the customer shifted): used instead of computing them from arrival. Unset = from
  // arrival. An ongoing pause is restored by waiting_on_customer() with the time it began.
  std::optional<SlaDeadlines> deadlines;
  // The rhythm slot (due_at) of the last progress reminder raised before (a rebuild, read from
  // the transcript): the next reminder is the first slot after it; slots missed while the
  // gateway was down fire once, not once each.
  std::optional<UnixMs> last_progress_reminder;
};

enum class DecisionKind { offer, assign };
const char* to_string(DecisionKind k);

struct Decision {
  DecisionKind kind = DecisionKind::assign;
  ConversationId conversation = 0;
  AgentId agent;
  UnixMs expires_at = 0;  // offers only: after this the offer lapses (reservation timeout)
  std::string reason;     // why this agent, in words (also kept for explain())
};

enum class TimerKind {
  first_response_warning,
  first_response_breach,
  resolution_warning,
  resolution_breach,
  resolution_max_breach,
  escalation,           // P1/P2 at once to supervisors; breaches escalate too
  progress_reminder,    // P1/P2: update the customer every 30 minutes
  reservation_expired,  // an offer was not accepted in time; re-queued
};
const char* to_string(TimerKind k);
// The kind to_string() names; none for any other name, such as a kind an older version wrote
// into the transcript ("complaint_escalation"), so reading old events back skips them.
std::optional<TimerKind> timer_kind_from_string(std::string_view name);

struct TimerEvent {
  TimerKind kind = TimerKind::escalation;
  ConversationId conversation = 0;
  UnixMs due_at = 0;
  std::string target;            // who must act: "supervisor", "service_director", or the agent id
  std::optional<AgentId> agent;  // agent holding the conversation, if any
  std::string reason;
};

// Deadlines for a conversation of channel kind `kind` that starts at `start` (no pauses), on the
// tier's calendar. `dedicated` = handled by the customer's dedicated group (its own
// first-response target, whatever the kind); otherwise the priority's target for `kind` if it
// names one (first_response_by_kind), else its first_response.
SlaDeadlines compute_sla_deadlines(const Policy& policy, Tier tier, int priority, bool dedicated,
                                   UnixMs start, const ChannelKind& kind);

// Progress reminders keep an arrival-based rhythm in service time on the tier's calendar: the
// k-th is due `every_ms` * k of open time after `arrived`, so none come due while the calendar
// is closed. The first slot strictly after `after`:
UnixMs next_progress_slot(const Policy& policy, Tier tier, UnixMs arrived, UnixMs after);
// The last slot at or before `at` (`arrived` itself if none has come yet).
UnixMs last_progress_slot(const Policy& policy, Tier tier, UnixMs arrived, UnixMs at);

enum class ConversationState { queued, offered, assigned, waiting_customer };
const char* to_string(ConversationState s);

struct ConversationView {
  ConversationId id = 0;
  ConversationState state = ConversationState::queued;
  std::optional<AgentId> agent;
  SlaDeadlines deadlines;
  bool first_response_done = false;
  // When the SLA clock stopped (waiting on the customer, policy pauses); unset = running.
  std::optional<UnixMs> paused_since;
};

struct AgentView {
  AgentId id;
  Presence presence = Presence::offline;
  std::map<ChannelKind, int> load;  // offered + assigned, per channel kind it holds any of
  int total_load = 0;
  std::vector<ConversationId> conversations;
  // In wrap-up after finishing a conversation (policy wrap_up): no new conversations of any kind
  // until then, whatever the presence. Unset = not in wrap-up.
  std::optional<UnixMs> wrap_up_until;
};

class Engine {
 public:
  explicit Engine(Policy policy);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Policy& policy() const;

  // --- agents ---
  // Adds or replaces an agent's profile; keeps its presence and conversations.
  Status upsert_agent(const AgentSpec& agent, UnixMs now);
  // Going offline re-queues the agent's conversations of live kinds (policy live_kinds) at their
  // original position and withdraws its pending offers. Going online ends a wrap-up early.
  Status set_presence(const AgentId& agent, Presence presence, UnixMs now);
  Status accept(const AgentId& agent, ConversationId conversation, UnixMs now);
  // The offer goes to the next agent; this agent is not offered this conversation again.
  Status decline(const AgentId& agent, ConversationId conversation, UnixMs now);
  // The agent holding the conversation (offered or assigned) did not take it (a call not
  // answered): back to the queue at its original position, never offered to that agent again.
  // `exclude_agent` "" = whoever holds it; a named agent must hold it, or the conversation is
  // already queued (then that agent is only excluded from now on).
  Status return_to_queue(ConversationId conversation, const AgentId& exclude_agent, UnixMs now);

  // --- conversations ---
  Status enqueue(const ConversationSpec& conversation, UnixMs now);
  // Resolved: frees the agent's capacity and stops every timer of the conversation. An agent
  // who had it (assigned, not merely offered) starts the policy's wrap-up for its kind.
  Status finish(ConversationId conversation, UnixMs now);
  // Forget a conversation in any state (closed elsewhere, customer abandoned).
  Status remove(ConversationId conversation, UnixMs now);
  Status record_first_response(ConversationId conversation, UnixMs now);
  // SLA clocks pause while the conversation waits on the customer (if the policy says so).
  // `now` is when it began waiting: a rebuild passes the stored start of an ongoing pause, so
  // the deadlines that came due during it are shifted when the customer replies.
  Status waiting_on_customer(ConversationId conversation, UnixMs now);
  Status customer_replied(ConversationId conversation, UnixMs now);
  // Assigns directly to `agent` (must be online with capacity for the channel).
  Status transfer_to_agent(ConversationId conversation, const AgentId& agent, UnixMs now);
  // Re-queues at the original position, restricted to `team` (overflow rules of that team).
  Status transfer_to_team(ConversationId conversation, const std::string& team, UnixMs now);
  // An agent takes a queued conversation itself, if the policy allows and it is eligible.
  Status pick(const AgentId& agent, ConversationId conversation, UnixMs now);
  // A supervisor or agent reclassifies the conversation (1..4). Its SLA deadlines are recomputed
  // for the new priority from its arrival on the tier's calendar and the timers of the old ones
  // never fire; a queued conversation moves to its new place in the queue, an assigned one stays
  // with its agent.
  Status set_priority(ConversationId conversation, int priority, UnixMs now);

  // --- time and decisions ---
  // Fires every timer due at or before `now` (in due order), expiring lapsed offers, applies
  // due ageing promotions and notes the conversations whose reachable agents widened
  // (bullseye, overflow, end of a sticky or reserved wait) for the next dispatch.
  std::vector<TimerEvent> advance(UnixMs now);
  // Matches waiting conversations to agents with free capacity, best first. Does the timer
  // work of advance() that is still due (none when called right after it, as tick() does).
  std::vector<Decision> dispatch(UnixMs now);
  // advance() then dispatch().
  std::pair<std::vector<TimerEvent>, std::vector<Decision>> tick(UnixMs now);

  // --- queries ---
  // Why the conversation went to its agent, or why it still waits (one line per fact).
  std::string explain(ConversationId conversation) const;
  std::optional<SlaDeadlines> sla_deadlines(ConversationId conversation) const;
  std::optional<ConversationView> conversation(ConversationId conversation) const;
  std::optional<AgentView> agent(const AgentId& agent) const;
  std::size_t queued_count() const;
  // Earliest instant at which advance() would fire something, a wrap-up's end included (for
  // the gateway's timer).
  std::optional<UnixMs> next_timer_at() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace omnigate::routing
