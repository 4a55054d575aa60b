#include "roster_change.hpp"

#include <charconv>
#include <set>

namespace routing_sim {

using namespace omnigate::routing;

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (;;) {
    const auto end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

int integer(const std::string& text, int lo, int hi, const std::string& what) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
    throw RosterChangeError(what + " must be a whole number from " + std::to_string(lo) + " to " +
                            std::to_string(hi) + ", got \"" + text + "\"");
  return value;
}

}  // namespace

AddAgents parse_add_agents(const std::string& text) {
  const auto parts = split(text, ':');
  if (parts.size() > 4)
    throw RosterChangeError("--add-agents takes N[:team[:tiers[:skills]]], got \"" + text + "\"");
  AddAgents change;
  change.count = integer(parts[0], 1, 10000, "--add-agents N");
  if (parts.size() > 1) change.team = parts[1];
  if (parts.size() > 2) {
    for (const char letter : parts[2]) {
      if (letter == ',') continue;
      const auto tier = tier_from_string(std::string(1, letter));
      if (!tier)
        throw RosterChangeError("--add-agents tiers are letters of S, A, B, C, got \"" + parts[2] +
                                "\"");
      change.tiers.push_back(*tier);
    }
  }
  if (parts.size() > 3 && !parts[3].empty()) {
    for (const auto& item : split(parts[3], ',')) {
      const auto eq = item.find('=');
      if (eq == 0 || eq == std::string::npos)
        throw RosterChangeError("--add-agents skills are skill=level,..., got \"" + item + "\"");
      change.skills.push_back(
          {item.substr(0, eq), integer(item.substr(eq + 1), 1, 5, "skill level of " + item)});
    }
  }
  return change;
}

void add_agents(Day& day, const AddAgents& change) {
  std::vector<AgentSpec> models;
  for (const auto& a : day.agents)
    if (change.team.empty() || a.team == change.team) models.push_back(a);
  if (models.empty() && change.skills.empty())
    throw RosterChangeError("--add-agents: team \"" + change.team +
                            "\" has no agents to copy skills from; give them as "
                            "N:team:tiers:skill=level,...");
  std::set<AgentId> taken;
  for (const auto& a : day.agents) taken.insert(a.id);
  int number = 0;
  for (int i = 0; i < change.count; ++i) {
    AgentSpec a =
        models.empty() ? AgentSpec{} : models[static_cast<std::size_t>(i) % models.size()];
    do a.id = "whatif" + std::to_string(++number);
    while (!taken.insert(a.id).second);
    a.team = change.team.empty() ? a.team : change.team;
    if (!change.tiers.empty()) a.tiers_served = change.tiers;
    if (!change.skills.empty()) a.skills = change.skills;
    day.agents.push_back(a);
    day.presence.insert(day.presence.begin(), PresenceChange{day.start, a.id, Presence::online});
  }
}

std::string describe(const AddAgents& change) {
  std::string text = "+" + std::to_string(change.count);
  if (!change.team.empty()) text += " " + change.team;
  if (!change.tiers.empty()) {
    text += ":";
    for (const auto t : change.tiers) text += to_string(t);
  }
  return text;
}

}  // namespace routing_sim
