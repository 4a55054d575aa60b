// SLA deadlines from the P1-P4 table and the progress reminders' rhythm, counted in service
// time on the tier's calendar.
#include <algorithm>

#include "omnigate/routing/engine.hpp"

namespace omnigate::routing {

SlaDeadlines compute_sla_deadlines(const Policy& policy, Tier tier, int priority, bool dedicated,
                                   UnixMs start, const ChannelKind& kind) {
  const auto& cal = policy.calendar_for(tier);
  const int p = std::clamp(priority, 1, kPriorityCount) - 1;
  const auto& target = policy.sla.by_priority[p];
  const auto by_kind = target.first_response_by_kind.find(kind);
  const auto& first = dedicated ? policy.sla.dedicated_first_response[p]
                      : by_kind != target.first_response_by_kind.end() ? by_kind->second
                                                                       : target.first_response;
  return {cal.add_service_time(start, first.on(cal)),
          cal.add_service_time(start, target.resolution.on(cal)),
          cal.add_service_time(start, target.resolution_max.on(cal))};
}

namespace {
std::int64_t progress_every(const Policy& policy) {
  return std::max<std::int64_t>(policy.sla.progress_update_every_ms, 1);
}
}  // namespace

UnixMs next_progress_slot(const Policy& policy, Tier tier, UnixMs arrived, UnixMs after) {
  const auto& cal = policy.calendar_for(tier);
  const auto every = progress_every(policy);
  const auto slots_done = after < arrived ? 0 : cal.service_time_between(arrived, after) / every;
  return cal.add_service_time(arrived, (slots_done + 1) * every);
}

UnixMs last_progress_slot(const Policy& policy, Tier tier, UnixMs arrived, UnixMs at) {
  const auto& cal = policy.calendar_for(tier);
  const auto every = progress_every(policy);
  const auto slots_done = at < arrived ? 0 : cal.service_time_between(arrived, at) / every;
  return slots_done == 0 ? arrived : cal.add_service_time(arrived, slots_done * every);
}

}  // namespace omnigate::routing
