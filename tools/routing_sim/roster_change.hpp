// What-if roster changes: `--add-agents N[:team[:tiers[:skills]]]` adds N agents to a Day.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "day.hpp"

namespace routing_sim {

struct AddAgents {
  int count = 0;
  std::string team;                              // "" = no team; copies come from the whole roster
  std::vector<omnigate::routing::Tier> tiers;    // empty = as the copied agent
  std::vector<omnigate::routing::Skill> skills;  // empty = as the copied agent
};

struct RosterChangeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Parses "2", "2:desk_north", "2:desk_north:B", "2:desk_north:SA:email=3,billing=2".
// Throws RosterChangeError naming the part that is wrong.
AddAgents parse_add_agents(const std::string& text);

// The new agents copy, in turn, the skills, tiers served and capacity of the team's existing
// agents (what the given tiers/skills do not override) and are online for the whole day.
// Throws RosterChangeError when there is nobody to copy skills from and none were given.
void add_agents(Day& day, const AddAgents& change);

// "+2 desk_north:B" — for a report column's name.
std::string describe(const AddAgents& change);

}  // namespace routing_sim
