#include "dispatch/queued_conversation.hpp"

namespace omnigate::dispatch {

void set_first_response_sla(QueuedConversation& q, store::UnixMs due,
                            const routing::BusinessCalendar& calendar, std::int64_t warn_before_ms,
                            store::UnixMs now) {
  q.first_response_due = due;
  if (due == 0) {
    q.first_response_ms_left.reset();
    q.sla_state = "none";
    return;
  }
  q.first_response_ms_left = now <= due ? calendar.service_time_between(now, due)
                                        : -calendar.service_time_between(due, now);
  q.sla_state = now >= due ? "breached" : now >= due - warn_before_ms ? "warning" : "ok";
}

}  // namespace omnigate::dispatch
