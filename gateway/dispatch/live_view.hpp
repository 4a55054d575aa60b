// The live queue and the agents' state in the routing engine at one instant of the dispatcher's
// clock: what the supervisors' queue view and event-stream snapshots are made of.
#pragma once

#include "dispatch/queued_conversation.hpp"
#include "store/model.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::dispatch {

// An agent's live state in the engine.
struct AgentLoad {
  std::string agent_id;
  std::string presence;             // the engine's view
  std::map<std::string, int> load;  // channel kind → conversations held
  int total_load = 0;
  // In wrap-up after a finished conversation until then (presence "wrap_up" meanwhile).
  std::optional<store::UnixMs> wrap_up_until;
};

struct LiveView {
  store::UnixMs at = 0;
  std::vector<QueuedConversation> waiting;  // queued and offered, in conversation id order
  std::vector<AgentLoad> agents;
};

}  // namespace omnigate::dispatch
