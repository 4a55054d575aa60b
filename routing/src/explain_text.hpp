// The routing engine's reasons in words (private to the routing engine): why a conversation went
// to its agent or waits, why an agent cannot take it, and the lines of explain(). The engine
// decides and counts; these functions only put its findings into words, and only when read (a
// decision, explain(), a refused transfer): building sentences on every routing attempt was a
// large share of a dispatch pass.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine_records.hpp"
#include "omnigate/routing/policy.hpp"

namespace omnigate::routing {

// "90s": a policy duration as explain() shows it.
std::string seconds(std::int64_t ms);

// What the engine found when no agent of a team (or any team) takes a conversation.
struct NoAgentFacts {
  std::string_view kind;  // the conversation's channel kind
  std::string_view team;  // the team searched, or "any team"
  Tier tier = Tier::C;
  int online = 0;        // online agents in the team
  int skilled = 0;       // ... of them with the required skill levels
  int skilled_free = 0;  // ... of those with free capacity for the kind
  // The required levels ("billing>=3"), and those that no online agent of the team has.
  std::vector<std::string> required, missing;
};

// Skills that nobody online has come first: no amount of freed capacity would route it then.
std::string no_agent_text(const NoAgentFacts& facts);

// The names and settings a routing rule's words need, looked up by the engine.
struct ReasonWords {
  std::string_view agent;  // the id of Choice::agent
  std::string_view named;  // the id of Choice::named
  std::string_view team;   // the name of Choice::team ("any team" for none)
  Tier tier = Tier::C;
  Selection selection = Selection::least_occupied;
  std::int64_t sticky_wait_ms = 0;
  std::int64_t preferred_wait_ms = 0;  // the tier's reserved wait
  std::string_view given;              // the words of a transfer or manual pick
  std::string no_agent;                // no_agent_text(), for Rule::no_agent
};

// Why the conversation went to its agent, or why it waits.
std::string reason_text(const Choice& why, const ReasonWords& words);

// Why the agent cannot take one more conversation of channel kind `kind` (whose budget in the
// agent is `slot`): the first rule that refuses, naming the limit (total or the kind's own).
std::string cannot_take_text(const AgentRec& a, const KindSlot& slot, std::string_view kind);

// explain()'s first line: the conversation as routing sees it.
std::string describe_conversation(const ConversationSpec& spec, std::string_view team);

// How many agents each rule keeps from taking a queued conversation (the first rule that
// refuses counts), and how many remain.
struct AgentTally {
  int offline = 0, no_capacity = 0, no_skill = 0, no_tier = 0, declined = 0, eligible = 0;
};

std::string agent_tally_text(const AgentTally& tally, std::string_view kind, Tier tier);

}  // namespace omnigate::routing
