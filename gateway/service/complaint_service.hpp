// Complaints as a process (docs/service-processes.md): files complaints, runs their ladder
// (complaint_ladder.hpp) against the clock once a second, records every step in the
// conversation's transcript and notifies the people of the customer's dedicated group on the
// supervisors' event stream. All work runs on its own strand; the open complaints are kept in
// memory (loaded from the store at start) so a step never reads a write not yet committed.
#pragma once

#include "api/live_events.hpp"
#include "config/config.hpp"
#include "core/executor.hpp"
#include "dispatch/routing_dispatcher.hpp"
#include "service/complaint_ladder.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

namespace omnigate::service {

// What an API call on a complaint came to: 200/201 with the complaint, or an error.
struct ComplaintOutcome {
  int status = 200;   // 200, 201, 404 (unknown), 409 (the ladder refused), 500 (store failed)
  std::string error;  // why, when status >= 400
  nlohmann::json complaint;
};
using ComplaintDone = std::function<void(ComplaintOutcome)>;

// One action on a complaint (POST /api/v1/complaints/{id}/<kind>).
struct ComplaintAction {
  enum class Kind { contact, escalate, commitment, assign_executive, close };
  Kind kind = Kind::contact;
  std::string actor;
  std::string text;  // escalate: reason; commitment: the fix; assign_executive: who; close: report
  std::optional<UnixMs> fix_due;
};

// The [complaints] windows in the ladder's units.
LadderWindows ladder_windows(const config::ComplaintsConfig& c);

class ComplaintService {
 public:
  // `dispatcher` gives the routing policy: a normal complaint's windows run on its customer
  // tier's business calendar, a major one's on the wall clock.
  ComplaintService(store::Store& store, Executor& executor, dispatch::RoutingDispatcher& dispatcher,
                   std::shared_ptr<api::LiveEvents> live, LadderWindows windows);
  ~ComplaintService();  // stop()s
  ComplaintService(const ComplaintService&) = delete;
  ComplaintService& operator=(const ComplaintService&) = delete;

  void start();  // loads the open complaints, then checks their windows every second
  void stop();

  // Files a complaint about the conversation at level 1 (the conversation's complaint_at is
  // set by its first complaint). 404 for an unknown conversation, 409 for a closed one.
  void file(Filing filing, ComplaintDone done);
  void act(store::Id complaint_id, ComplaintAction action, ComplaintDone done);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::service
