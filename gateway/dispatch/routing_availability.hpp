// Who could take a new conversation of a channel instance right now, for channel plugins
// (og_host_api.channel_availability: the web chat shows its offline form when nobody could).
// The routing state lives on the dispatcher's strand; after each dispatch pass the dispatcher
// publishes a small immutable snapshot here, which any thread may query without waiting for
// the strand — answers may lag the engine by one pass.
#pragma once

#include <omnigate/routing/engine.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace omnigate::dispatch {

struct ChannelAvailability {
  int agents_online = 0;  // online agents with the skills and capacity > 0 for the kind
  int agents_free = 0;    // of those, with room for one more of the kind right now
  int queued = 0;         // conversations of the instance waiting (queued or offered)
  std::int64_t expected_wait_ms = -1;  // for a new conversation; -1 unknown
};

struct AvailabilitySnapshot {
  struct Agent {
    std::vector<routing::Skill> skills;
    std::map<std::string, int> capacity;  // the agent's own per-kind capacities
    std::map<std::string, int> load;      // conversations held per kind
    int total_capacity = 0;               // resolved (the policy's when the agent sets none)
    int total_load = 0;
  };
  std::vector<Agent> online;                    // agents whose presence is online
  routing::CapacityDefaults capacity_defaults;  // capacity for kinds an agent does not name
  std::map<std::string, int> waiting_by_instance;
  int waiting = 0;            // every waiting conversation, all instances
  std::int64_t pace_ms = -1;  // the queue's recent interval between departures; -1 unknown
};

class RoutingAvailability {
 public:
  void publish(std::shared_ptr<const AvailabilitySnapshot> snapshot);
  // Before the first publish: nobody online, nothing queued, wait unknown.
  ChannelAvailability query(const std::string& instance, const std::string& channel_kind,
                            const std::vector<routing::SkillRequirement>& skills) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const AvailabilitySnapshot> snapshot_;
};

}  // namespace omnigate::dispatch
