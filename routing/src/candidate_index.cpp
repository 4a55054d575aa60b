#include "candidate_index.hpp"

#include <algorithm>
#include <tuple>

namespace omnigate::routing {

namespace {
std::uint64_t set_key(int team, int skill) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(team + 1)) << 32) |
         static_cast<std::uint32_t>(skill + 1);
}
}  // namespace

void CandidateIndex::make_room(int skills, int teams) {
  if (static_cast<int>(available_with_skill_.size()) < skills)
    available_with_skill_.resize(skills, 0);
  if (static_cast<int>(group_built_.size()) < teams + 1) group_built_.resize(teams + 1, 0);
}

CandidateKey CandidateIndex::key_for(int ai, int skill) const {
  CandidateKey k = rank_for(ai, skill);
  k.kinds = rules_.kinds_open(agents_[ai]);
  k.level = skill == kNone ? 0 : agents_[ai].level(skill);
  k.tiers = agents_[ai].tiers_mask;
  return k;
}

CandidateKey CandidateIndex::rank_for(int ai, int skill) const {
  const auto& a = agents_[ai];
  const std::int64_t occupancy = a.total_load * 1000LL / std::max(1, a.total_cap);
  switch (selection_) {
    case Selection::least_occupied:
      return {.bucket_a = occupancy, .time = a.idle_since, .agent = ai};
    case Selection::longest_idle:
      return {.time = a.idle_since, .rest = occupancy, .agent = ai};
    case Selection::round_robin:
      return {.time = a.last_offered_at, .agent = ai};
    case Selection::most_skilled:
      return {.bucket_a = skill == kNone ? 0 : -a.level(skill),
              .bucket_b = occupancy,
              .time = a.idle_since,
              .agent = ai};
  }
  return {.agent = ai};
}

void CandidateIndex::unindex(int ai) {
  auto& a = agents_[ai];
  if (!a.available) return;
  for (const auto& m : a.index_entries) m.set->erase(m.position);
  a.index_entries.clear();
  a.available = false;
  --available_agents_;
  for (const auto& [skill, level] : a.skills) --available_with_skill_[skill];
}

void CandidateIndex::index(int ai) {
  auto& a = agents_[ai];
  if (!Eligibility::has_room(a) || a.available) return;
  a.available = true;
  a.rank = rank_for(ai, kNone);
  a.rank_stamp = ++rank_clock_;
  if (group_built_[0]) join_group(ai, kNone);
  if (a.team != kNone && group_built_[a.team + 1]) join_group(ai, a.team);
  ++available_agents_;
  for (const auto& [skill, level] : a.skills) ++available_with_skill_[skill];
}

// Puts an available agent into the candidate sets of `team` (kNone = any team).
void CandidateIndex::join_group(int ai, int team) {
  auto& a = agents_[ai];
  const auto add = [&](int skill) {
    CandidateSet* set = &sets_.try_emplace(set_key(team, skill), memory_).first->second;
    a.index_entries.push_back({set, skill, set->insert(key_for(ai, skill))});
  };
  add(kNone);
  for (const auto& [skill, level] : a.skills) add(skill);
}

// Agents are added best rank first (equal ranks by stamp), so each insertion is an append and
// the order is the one the sets would have had if kept all along.
void CandidateIndex::build_group(int team) {
  if (group_built_[team + 1]) return;
  group_built_[team + 1] = 1;
  std::vector<int> members;
  for (int ai = 0; ai < static_cast<int>(agents_.size()); ++ai)
    if (agents_[ai].available && (team == kNone || agents_[ai].team == team)) members.push_back(ai);
  std::sort(members.begin(), members.end(), [&](int x, int y) {
    const CandidateKey& a = agents_[x].rank;
    const CandidateKey& b = agents_[y].rank;
    return std::tie(a.bucket_a, a.bucket_b, a.time, a.rest, agents_[x].rank_stamp) <
           std::tie(b.bucket_a, b.bucket_b, b.time, b.rest, agents_[y].rank_stamp);
  });
  for (const int ai : members) join_group(ai, team);
}

void CandidateIndex::rekey(int ai) {
  auto& a = agents_[ai];
  if (!Eligibility::has_room(a)) return unindex(ai);
  if (!a.available) return index(ai);
  if (const CandidateKey rank = rank_for(ai, kNone); !rank.same_rank(a.rank)) {
    a.rank = rank;
    a.rank_stamp = ++rank_clock_;
  }
  for (auto& m : a.index_entries) {
    const CandidateKey key = key_for(ai, m.skill);
    if (key.same_rank(*m.position.it)) {
      CandidateSet::refresh(m.position, key.kinds);
      continue;
    }
    m.set->erase(m.position);
    m.position = m.set->insert(key);
  }
}

// Walks only the candidate set of the conversation's rarest required skill.
std::optional<CandidateKey> CandidateIndex::best_in_team(int team, const ConvRec& c,
                                                         int drop) const {
  const CandidateSet* smallest = nullptr;
  int smallest_skill = kNone, smallest_level = 0;
  if (c.skills.empty()) {
    const auto it = sets_.find(set_key(team, kNone));
    if (it != sets_.end()) smallest = &it->second;
  } else {
    for (const auto& [skill, level] : c.skills) {
      const auto it = sets_.find(set_key(team, skill));
      if (it == sets_.end() || it->second.empty()) return std::nullopt;
      if (!smallest || it->second.size() < smallest->size()) {
        smallest = &it->second;
        smallest_skill = skill;
        smallest_level = level;
      }
    }
  }
  if (!smallest) return std::nullopt;
  const int needed = smallest_skill == kNone ? 0 : std::max(1, smallest_level - drop);
  const std::uint64_t kind_mask = kind_bit(c.kind);
  const unsigned tier_bit = 1u << static_cast<unsigned>(c.spec.tier);
  // With at most one required skill (the set's) and no declines, the key's cached channel
  // room, level and tiers are the whole eligibility check: the agent record stays untouched.
  const bool key_decides = c.skills.size() <= 1 && c.declined.empty() && kind_mask != 0;
  const CandidateKey* best = smallest->find_first([&](const CandidateKey& k) {
    if ((kind_mask != 0 && !(k.kinds & kind_mask)) || k.level < needed) return false;
    return key_decides ? (k.tiers & tier_bit) != 0
                       : rules_.eligible_pool(agents_[k.agent], k.agent, c, drop);
  });
  return best ? std::optional<CandidateKey>(*best) : std::nullopt;
}

}  // namespace omnigate::routing
