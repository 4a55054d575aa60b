// The routing policy's [[routing.team_rules]] applied to one conversation: the home team its
// channel instance, required skills or customer's attributes give it. A pure function of what
// the gateway stores, so the dispatcher and a replay of the store give the same team.
#pragma once

#include "store/model.hpp"

#include <omnigate/routing/policy.hpp>

#include <optional>
#include <string>
#include <vector>

namespace omnigate::routing_specs {

// The customer's top-level attribute `key` as text: strings as they are, numbers and booleans
// as JSON writes them; nullopt when absent, another type, or the JSON is not an object.
std::optional<std::string> attribute_text(const std::string& attributes_json,
                                          const std::string& key);

struct TeamRuleFacts {
  const std::string& channel_instance;
  const std::vector<store::SkillLevel>& skills;
  const std::string& customer_attributes_json;  // "{}" when the customer has none
};

// The first rule of `rules` that matches, or nullptr.
const routing::TeamRule* first_matching_team_rule(const std::vector<routing::TeamRule>& rules,
                                                  const TeamRuleFacts& facts);

// The first matching rule's team, or "" (no home team: any team's agents).
std::string home_team_by_rule(const std::vector<routing::TeamRule>& rules,
                              const TeamRuleFacts& facts);

}  // namespace omnigate::routing_specs
