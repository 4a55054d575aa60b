// The bridge between the store and the pure routing engine (routing/): it owns one Engine on its
// own strand (the engine is single-threaded), feeds it conversations, agents and presence, and
// writes the engine's decisions back to the store (assignments with their reason, SLA deadlines,
// SLA/escalation events). Every public call may come from any thread; results that need the
// engine come back through a callback (never block an executor thread waiting for the strand).
#pragma once

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "dispatch/live_publisher.hpp"
#include "dispatch/live_view.hpp"
#include "dispatch/queued_conversation.hpp"
#include "dispatch/routing_availability.hpp"
#include "store/channel_action.hpp"
#include "store/conversation_change.hpp"
#include "store/store.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::dispatch {

// "" on success, else why the engine or the store refused, in words.
using DispatchDone = std::function<void(std::string error)>;

// An offer the engine made (the policy reserves before assigning) that the agent has neither
// accepted nor declined and that has not expired yet.
struct PendingOffer {
  QueuedConversation conversation;
  std::string agent_id;
  store::UnixMs offered_at = 0;
  store::UnixMs expires_at = 0;  // after this the engine re-queues it for the next agent
  std::string reason;            // why this agent, from the engine
};

// How an agent's accept / decline / pick went.
struct AgentActionResult {
  enum class Kind {
    done,          // decided and committed
    not_allowed,   // the routing policy forbids it (manual pick disabled)
    conflict,      // not possible now: no such offer, expired, not queued, agent not eligible
    store_failed,  // the engine decided but the store did not record it
  };
  Kind kind = Kind::done;
  std::string error;  // why not, in words ("" when done)
};
using AgentActionDone = std::function<void(AgentActionResult)>;

// A team's overflow rule from the policy's [routing.teams.<name>] (GET /api/v1/teams).
struct TeamOverflow {
  std::vector<std::string> overflow_to;
  std::int64_t overflow_after_ms = 0;  // 0 = never overflows
};

// A P1/P2 conversation was escalated at once (routing's sla.escalation): its id, when it fell
// due and why. Called on the dispatcher's strand: hand real work elsewhere.
using EscalationListener =
    std::function<void(store::Id conversation_id, store::UnixMs due_at, const std::string& reason)>;

class RoutingDispatcher {
 public:
  // policy_json: the config's [routing] table as JSON ("" = defaults). Throws config::ConfigError
  // naming the key.
  RoutingDispatcher(store::Store& store, Executor& executor, Metrics& metrics,
                    const std::string& policy_json);
  ~RoutingDispatcher();  // stop()s
  RoutingDispatcher(const RoutingDispatcher&) = delete;
  RoutingDispatcher& operator=(const RoutingDispatcher&) = delete;

  // Before start(): decisions are published there as they happen (supervisors' event stream).
  void publish_to(std::shared_ptr<LivePublisher> live);
  // Before start(): told of every assignment, transfer, re-queue and resolution once it is
  // committed, of an agent's typing, and of waiting conversations' queue positions as they
  // change (recomputed at most once per second, only changed positions) — the plugin host's
  // conversation notices. Called on the store's writer thread or the dispatcher's strand.
  void notify_conversations(store::ConversationListener listener);
  // The assigned agent is typing a reply (POST /api/v1/conversations/{id}/typing).
  void agent_typing(store::Id conversation_id, const std::string& agent_id);
  // Before start(): told of every sla.escalation once its event is submitted (the service
  // processes notify the customer's service director and technical experts).
  void on_escalation(EscalationListener listener);
  // Before start(): the dispatcher's notion of now (default: the wall clock); tests drive SLAs.
  void use_clock(std::function<store::UnixMs()> clock);

  void start();  // rebuild agents, queue and assignments from the store, then dispatch
  void stop();
  // A committed customer message or channel event (any thread; batched onto the strand). A
  // customer message is published on the event stream as message.received.
  void on_inbound(const std::string& instance, const store::IngestResult& result,
                  bool customer_message);
  // Something the customer does now that is not stored (a channel plugin's og_host_api.signal:
  // typing): published as customer.signal when anyone listens. Any thread.
  void customer_signal(store::Id conversation_id, const std::string& kind,
                       const std::string& data_json);
  // Who could take a new conversation of `instance` (channel kind, skills) now: any thread,
  // from the snapshot the strand publishes after each dispatch pass.
  ChannelAvailability channel_availability(
      const std::string& instance, const std::string& channel_kind,
      const std::vector<routing::SkillRequirement>& skills) const;

  // Validates the new policy now (throws config::ConfigError naming the key), then rebuilds the
  // engine from the store under it (SIGHUP, POST /api/v1/admin/routing/reload).
  void reload_policy(const std::string& policy_json);

  // --- agent actions (the API has already checked who may do them)
  // Stores the presence, tells the engine; offline re-queues live-channel conversations.
  void set_presence(const std::string& agent_id, store::Presence presence, DispatchDone done);
  // The store has marked the conversation resolved: free the agent's capacity, dispatch.
  void resolved(store::Id conversation_id);
  // An agent reply was committed: first response done, SLA paused while waiting on the customer.
  void replied(store::Id conversation_id);
  // `warm`: the channel keeps the customer on while the new agent joins (a call's conference);
  // the TRANSFERRED notice says so in its detail_json {"mode":"warm"|"cold","by":actor}.
  void transfer_to_agent(store::Id conversation_id, const std::string& agent_id,
                         const std::string& actor, bool warm, DispatchDone done);
  void transfer_to_team(store::Id conversation_id, const std::string& team,
                        const std::string& actor, DispatchDone done);
  // What a live channel reports (og_host_api.conversation_action, handed on by the plugin host):
  // recorded as an event by actor "channel:<instance>" with the action's reason and data, then
  // routing follows: answered → first response; requeue → back to the queue at its place, never
  // to that agent again; abandoned → closed (ok if already closed); ended → resolved like
  // POST .../resolve (the agent's wrap-up starts); transfer → to action.agent_id. `done` gets
  // the refusal (unknown or closed conversation, the engine's reason) or ok once committed.
  void channel_action(store::ChannelAction action,
                      std::function<void(store::ChannelActionOutcome)> done);
  // Reclassifies an open conversation (priority 1..4): stored first with its
  // conversation.priority_changed event, then the engine moves it in the queue and re-times its
  // SLA from arrival (the new deadlines are stored too); conversation.priority_changed on the
  // stream. `done` gets "" or the store's refusal (resolved, closed, unknown).
  void set_priority(store::Id conversation_id, int priority, const std::string& reason,
                    const std::string& actor, DispatchDone done);
  // The agent answers an offer made to them: accepted → assigned to them (events
  // conversation.accepted, conversation.assigned); declined → offered to the next agent
  // (conversation.declined), never again to this one. conflict unless that offer is pending.
  void accept_offer(store::Id conversation_id, const std::string& agent_id,
                    const std::string& actor, AgentActionDone done);
  void decline_offer(store::Id conversation_id, const std::string& agent_id,
                     const std::string& actor, AgentActionDone done);
  // The agent takes a queued conversation (conversation.picked, conversation.assigned):
  // not_allowed when the policy disables manual pick, conflict with the engine's reason when
  // the conversation is not queued or the agent is not eligible for it.
  void pick(store::Id conversation_id, const std::string& agent_id, const std::string& actor,
            AgentActionDone done);

  // --- admin changes (the store has committed them; the engine follows at once)
  // A created or replaced agent profile: the engine routes by it from now on.
  void agent_changed(const store::Agent& agent);
  // Takes the agent out of routing: each of their open conversations (any channel) is re-queued
  // at its original position with a "conversation.requeued" event naming `actor`; `done` gets
  // their ids once the re-queues are submitted (the caller deletes the profile after them).
  void agent_removed(const std::string& agent_id, const std::string& actor,
                     std::function<void(std::vector<store::Id>)> done);
  // A customer's tier or account team/manager changed: their queued conversations move to where
  // the new values put them (same arrival time, new tier and dedicated group/manager).
  void customer_changed(const store::CustomerChange& change);
  // The config's [[customers.tier_rules]]: applied to the customer of every new conversation.
  void set_tier_rules(std::vector<config::TierRule> rules);
  std::vector<config::TierRule> tier_rules() const;

  // --- reads for the API (answered on the engine's strand)
  void explain(store::Id conversation_id, std::function<void(std::string)> done);
  void agent_loads(std::function<void(std::vector<AgentLoad>)> done);
  // `done` runs on the engine's strand: no event is published between the view and its return,
  // so a subscriber registered inside it misses nothing and sees nothing twice.
  void live_view(std::function<void(LiveView)> done);
  // The routing policy in force (the KPIs compute first-response deadlines routing never stored).
  void current_policy(std::function<void(routing::Policy)> done);
  // Every team the policy names, with its overflow rule.
  void team_overflow(std::function<void(std::map<std::string, TeamOverflow>)> done);
  // Offers waiting for an answer, oldest first; agent_id "" = every agent's.
  void pending_offers(const std::string& agent_id,
                      std::function<void(std::vector<PendingOffer>)> done);

  struct State;  // shared with strand handlers and store completions

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::dispatch
