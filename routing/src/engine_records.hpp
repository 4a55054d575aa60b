// The routing engine's records of agents and conversations (private to the routing engine):
// names interned to ids (name_table.hpp), what the candidate sets and the queue need to find
// and move them, and what explain() reports.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "candidate_set.hpp"
#include "conversation_queue.hpp"
#include "name_table.hpp"
#include "omnigate/routing/engine.hpp"

namespace omnigate::routing {

// "any team" / "no skill" in index keys (the id of no name), "no agent" elsewhere
inline constexpr int kNone = NameTable::kNoName;
inline constexpr UnixMs kNever = std::numeric_limits<UnixMs>::max();

// An agent's budget for one channel kind (index: the kind's id).
struct KindSlot {
  int cap = 0;
  int load = 0;
};

// Candidate keys cache the kinds an agent has room for as one bit per kind id; kinds past the
// mask's width (a deployment with more than 64 channel kinds) are checked on the agent record.
inline constexpr int kKindMaskBits = 64;
inline std::uint64_t kind_bit(int kind) {
  return kind < kKindMaskBits ? std::uint64_t{1} << kind : 0;
}

struct AgentRec {
  AgentId id;
  int team = kNone;
  std::vector<std::pair<int, int>> skills;  // (skill id, level), sorted by id
  unsigned tiers_mask = 0xF;
  std::vector<KindSlot> kinds;  // per channel kind id; every kind the engine knows
  int total_cap = 0;
  Presence presence = Presence::offline;
  int total_load = 0;
  UnixMs idle_since = 0;
  UnixMs last_offered_at = 0;
  // Wrap-up after finishing a conversation: nothing new until wrap_up_until (see end_wrap_ups).
  bool wrapping_up = false;
  UnixMs wrap_up_until = 0;
  std::vector<ConversationId> conversations;
  struct Membership {
    CandidateSet* set;
    int skill;  // the set's skill (most_skilled orders by it)
    CandidateSet::Position position;
  };
  std::vector<Membership> index_entries;  // where it sits now
  bool available = false;                 // online with room: in the candidate sets
  // Its selection rank when that last changed, and a stamp of when: candidate sets built
  // later (see the engine's build_group) order equal ranks by it, as insertion order would have.
  CandidateKey rank;
  std::uint64_t rank_stamp = 0;

  int level(int skill) const {
    const auto it = std::lower_bound(skills.begin(), skills.end(), std::make_pair(skill, 0));
    return it != skills.end() && it->first == skill ? it->second : 0;
  }
};

struct ConvRec;
using WaitingQueue = ConversationQueue<ConvRec>;

// The routing rule that sent a conversation to an agent, or kept it waiting, with what its
// words need. Put into words only when read (a decision, explain()): building the sentence on
// every routing attempt, failed ones included, was a large share of a dispatch pass.
struct Choice {
  enum class Rule {
    not_dispatched,
    sticky,           // agent = the previous agent
    sticky_wait,      // agent = kNone, named = the previous agent it waits for
    named_manager,    // agent = the manager
    dedicated_group,  // team = the account team
    reserved,         // waits for the dedicated group (group) or the named manager
    pool,             // team = where the agent was found, overflow = not the home team
    no_agent,         // team = the home team it searched
    given,            // words given by a transfer or a manual pick (ConvRec::given_reason)
  };
  Rule rule = Rule::not_dispatched;
  int agent = kNone;
  int named = kNone;
  int team = kNone;
  int drop = 0;  // bullseye level drop in force
  bool group = false;
  bool overflow = false;
};

struct ConvRec {
  ConversationSpec spec;
  int kind = 0;  // id of spec.channel
  int home_team = kNone;
  int account_team = kNone;
  std::vector<std::pair<int, int>> skills;  // (skill id, min level)
  int primary_skill = kNone;                // the sub-queue it waits in
  ConversationState state = ConversationState::queued;
  int agent = kNone;
  int promotions = 0;
  UnixMs next_promotion_at = kNever;
  WaitingQueue::Key key;
  bool in_queue = false;
  WaitingQueue::Place queue_place;  // where `key` sits while in_queue
  bool dedicated = false;
  SlaDeadlines deadlines;
  bool first_response_done = false;
  unsigned fired = 0;  // bit per TimerKind already raised
  std::optional<UnixMs> paused_at;
  // The progress-reminder slot up to which the rhythm is done: the last one raised, or the last
  // one that passed during a pause (an update is owed only for time the clock ran). Unset = none.
  std::optional<UnixMs> progress_done_until;
  std::uint32_t timer_gen = 0;
  std::uint32_t offer_gen = 0;
  UnixMs offer_expires = 0;
  std::vector<int> declined;
  Choice why;                // why it went to its agent, or why it last had to wait
  std::string given_reason;  // the words when why.rule == given
  std::string history;       // earlier facts (re-queues, transfers) for explain()
};

}  // namespace omnigate::routing
