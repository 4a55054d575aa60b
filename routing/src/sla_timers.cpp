#include "sla_timers.hpp"

#include <algorithm>
#include <iterator>

namespace omnigate::routing {

bool is_deadline_kind(TimerKind k) {
  return std::find(std::begin(kDeadlineKinds), std::end(kDeadlineKinds), k) !=
         std::end(kDeadlineKinds);
}

unsigned timer_bit(TimerKind k) {
  return 1u << static_cast<unsigned>(k);
}

bool pausable(TimerKind k) {
  return k != TimerKind::escalation && k != TimerKind::reservation_expired;
}

UnixMs deadline_of(const SlaDeadlines& deadlines, std::int64_t warn_before_ms, TimerKind k) {
  switch (k) {
    case TimerKind::first_response_warning:
      return deadlines.first_response_due - warn_before_ms;
    case TimerKind::first_response_breach:
      return deadlines.first_response_due;
    case TimerKind::resolution_warning:
      return deadlines.resolution_due - warn_before_ms;
    case TimerKind::resolution_max_breach:
      return deadlines.resolution_max_due;
    default:
      return deadlines.resolution_due;
  }
}

UnixMs resume_deadline(const BusinessCalendar& cal, UnixMs due, UnixMs paused, UnixMs resumed) {
  if (due <= paused) return due;
  return cal.add_service_time(resumed, cal.service_time_between(paused, due));
}

}  // namespace omnigate::routing
