#include "dispatch/routing_availability.hpp"

#include <algorithm>

namespace omnigate::dispatch {

namespace {

bool has_skills(const AvailabilitySnapshot::Agent& agent,
                const std::vector<routing::SkillRequirement>& needed) {
  return std::all_of(needed.begin(), needed.end(), [&](const routing::SkillRequirement& need) {
    return std::any_of(agent.skills.begin(), agent.skills.end(), [&](const routing::Skill& s) {
      return s.skill == need.skill && s.level >= need.min_level;
    });
  });
}

}  // namespace

void RoutingAvailability::publish(std::shared_ptr<const AvailabilitySnapshot> snapshot) {
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snapshot);
}

ChannelAvailability RoutingAvailability::query(
    const std::string& instance, const std::string& channel_kind,
    const std::vector<routing::SkillRequirement>& skills) const {
  std::shared_ptr<const AvailabilitySnapshot> s;
  {
    std::lock_guard lock(mu_);
    s = snapshot_;
  }
  ChannelAvailability out;
  if (!s) return out;
  for (const auto& agent : s->online) {
    const auto own = agent.capacity.find(channel_kind);
    const int capacity = own != agent.capacity.end()
                             ? own->second
                             : s->capacity_defaults.for_kind(routing::ChannelKind(channel_kind));
    if (capacity <= 0 || !has_skills(agent, skills)) continue;
    ++out.agents_online;
    const auto held = agent.load.find(channel_kind);
    const int load = held != agent.load.end() ? held->second : 0;
    if (load < capacity && agent.total_load < agent.total_capacity) ++out.agents_free;
  }
  if (const auto it = s->waiting_by_instance.find(instance); it != s->waiting_by_instance.end())
    out.queued = it->second;
  // Nobody who could take it: nothing to promise. Room and an empty queue: taken at once.
  // Otherwise it would wait behind every queued conversation, at the queue's recent pace.
  if (out.agents_online == 0) {
    out.expected_wait_ms = -1;
  } else if (out.agents_free > 0 && s->waiting == 0) {
    out.expected_wait_ms = 0;
  } else if (s->pace_ms >= 0) {
    out.expected_wait_ms = s->pace_ms * (s->waiting + 1);
  }
  return out;
}

}  // namespace omnigate::dispatch
