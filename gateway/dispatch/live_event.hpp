// One thing that happened in routing or a service process, as the supervisors' event stream
// reports it (docs/api.md "Event stream"): built by RoutingDispatcher where it decides (and by the
// complaint service), handed to a LivePublisher; api::event_message() serialises it.
#pragma once

#include "dispatch/queued_conversation.hpp"
#include "store/model.hpp"

#include <map>
#include <optional>
#include <string>

namespace omnigate::dispatch {

struct LiveEvent {
  // conversation.queued|offered|assigned|requeued|transferred|priority_changed|complaint|resolved,
  // agent.presence, sla.<timer kind> (sla.first_response_breach, sla.escalation,
  // sla.progress_reminder, ...), message.received, message.sent, message.status, note.added or
  // customer.signal.
  std::string type;
  store::UnixMs at = 0;  // the dispatcher's clock

  // Conversation events (conversation_id != 0).
  store::Id conversation_id = 0;
  std::string team;                          // home team it waits for ("" = any team)
  std::optional<std::string> previous_team;  // transfers to a team: the team it left ("" = any)
  std::string tier;
  int priority = 0;
  std::string channel_kind;
  std::string
      state;  // where it stands afterwards: queued|offered|assigned|waiting_customer|resolved
  std::optional<QueuedConversation> waiting;  // its queue entry while queued or offered

  std::string agent;       // the agent concerned ("" = none)
  std::string agent_team;  // that agent's team
  std::string reason;      // why, in words (from the engine or the API call)

  // agent.presence
  std::string presence;
  std::map<std::string, int> load;  // channel kind → conversations held

  // conversation.offered: the reservation lapses then. sla.*: when it fell due, who must act.
  store::UnixMs expires_at = 0;
  store::UnixMs due_at = 0;
  std::string target;
  int level = 0;  // complaint ladder level 1..3
  // complaint.*: the complaint (gateway/service). complaint.notification: who it is for
  // ("agent:<id>", "person:<name>", or "role:<role>" when the customer's group has nobody).
  store::Id complaint_id = 0;
  std::string recipient;

  // message.received: the stored customer message; message.sent, message.status: the reply.
  store::Id message_id = 0;
  // note.added, message.sent (api::ConversationActivityRelay): who wrote it (user name, agent
  // id) and, for a note, its id.
  std::string author;
  store::Id note_id = 0;
  // message.status: the reply's delivery state as the transcript has it, and the provider's
  // error code ("" = none).
  std::string delivery_state;
  std::string error_code;
  // customer.signal: its kind ("typing") and details (a JSON object's text; "" = {}).
  std::string signal;
  std::string signal_data_json;
};

}  // namespace omnigate::dispatch
