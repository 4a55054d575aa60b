// The SLA rules behind the engine's timers (private to the routing engine): which timers stand
// for an SLA deadline, when each comes due, which a pause holds back, and where a pause moves a
// deadline. The deadlines themselves come from compute_sla_deadlines() (sla.cpp).
#pragma once

#include <cstdint>

#include "omnigate/routing/calendar.hpp"
#include "omnigate/routing/engine.hpp"

namespace omnigate::routing {

// The one-shot timers measured against an SLA deadline.
inline constexpr TimerKind kDeadlineKinds[] = {
    TimerKind::first_response_warning, TimerKind::first_response_breach,
    TimerKind::resolution_warning, TimerKind::resolution_breach, TimerKind::resolution_max_breach};

bool is_deadline_kind(TimerKind k);

// The bit of `k` in a conversation's mask of timers already raised.
unsigned timer_bit(TimerKind k);

// Whether waiting on the customer holds the timer back (its SLA clock stops). Escalations and
// offer expiry run on the wall clock.
bool pausable(TimerKind k);

// When warning or breach `k` (one of kDeadlineKinds) comes due: a warning `warn_before_ms`
// ahead of its deadline.
UnixMs deadline_of(const SlaDeadlines& deadlines, std::int64_t warn_before_ms, TimerKind k);

// Where deadline `due` moves when a pause that began at `paused` ends at `resumed`: it keeps the
// service time on `cal` that was left when the clock stopped. A deadline that had passed by then
// stays where it was.
UnixMs resume_deadline(const BusinessCalendar& cal, UnixMs due, UnixMs paused, UnixMs resumed);

}  // namespace omnigate::routing
