// Which agents can take what (private to the routing engine): the agents with free capacity, in
// ordered candidate sets keyed by (team, skill) and ordered by the policy's selection rule, so a
// conversation walks only the set of its rarest required skill instead of every agent.
//
// The candidate sets of a group (a team, or kNone = any team) exist once a conversation has
// needed that group (build_group). Conversations of a deployment usually all name a team, or
// none, so an agent is kept in one group's sets instead of two: half the re-keying when its load
// changes.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <unordered_map>
#include <vector>

#include "candidate_set.hpp"
#include "eligibility.hpp"
#include "engine_records.hpp"
#include "omnigate/routing/policy.hpp"

namespace omnigate::routing {

class CandidateIndex {
 public:
  // Indexes agents of `agents` by their position (the engine's agent id); `memory`, `agents`
  // and `rules` must outlive the index.
  CandidateIndex(std::pmr::memory_resource* memory, std::vector<AgentRec>& agents,
                 const Eligibility& rules, Selection selection)
      : memory_(memory), agents_(agents), rules_(rules), selection_(selection) {}
  CandidateIndex(const CandidateIndex&) = delete;
  CandidateIndex& operator=(const CandidateIndex&) = delete;

  // Makes room for skill ids below `skills` and team ids below `teams`.
  void make_room(int skills, int teams);

  // Puts the agent into the sets of the groups built so far if it has room (a changed profile:
  // unindex() first, then index()).
  void index(int ai);
  void unindex(int ai);
  // After a load or presence change (same team and skills): moves the agent only where its
  // key changed, and in or out of the sets when its room appears or runs out.
  void rekey(int ai);

  // Builds the candidate sets of `team` (kNone = any team) the first time a conversation may
  // be routed to it; from then on they are kept up to date.
  void build_group(int team);

  // Best eligible agent for `c` in `team` (kNone = any) by the selection order, its skill
  // levels lowered by `drop`.
  std::optional<CandidateKey> best_in_team(int team, const ConvRec& c, int drop) const;

  // Whether some agent with room has `skill` (kNone: whether any agent has room).
  bool anyone_available_with(int skill) const {
    return skill == kNone ? available_agents_ > 0 : available_with_skill_[skill] > 0;
  }

 private:
  CandidateKey rank_for(int ai, int skill) const;
  CandidateKey key_for(int ai, int skill) const;
  void join_group(int ai, int team);

  std::pmr::memory_resource* memory_;
  std::vector<AgentRec>& agents_;
  const Eligibility& rules_;
  Selection selection_;
  std::unordered_map<std::uint64_t, CandidateSet> sets_;  // node-based: stable addresses
  std::vector<char> group_built_{0};                      // index team + 1
  // Stamps when an agent's rank last changed: sets built later order equal ranks by it.
  std::uint64_t rank_clock_ = 0;
  int available_agents_ = 0;               // agents in the candidate sets
  std::vector<int> available_with_skill_;  // ... of them per skill id
};

}  // namespace omnigate::routing
