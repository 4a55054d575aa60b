#include "routing_specs/team_rules.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace omnigate::routing_specs {

std::optional<std::string> attribute_text(const std::string& attributes_json,
                                          const std::string& key) {
  const auto j = nlohmann::json::parse(attributes_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number() || it->is_boolean()) return it->dump();
  return std::nullopt;
}

namespace {

bool matches(const routing::TeamRule& r, const TeamRuleFacts& f) {
  if (!r.channel_instance.empty()) return r.channel_instance == f.channel_instance;
  if (!r.skill.empty())
    return std::any_of(f.skills.begin(), f.skills.end(),
                       [&](const store::SkillLevel& s) { return s.skill == r.skill; });
  return !r.attribute_key.empty() &&
         attribute_text(f.customer_attributes_json, r.attribute_key) == r.attribute_value;
}

}  // namespace

const routing::TeamRule* first_matching_team_rule(const std::vector<routing::TeamRule>& rules,
                                                  const TeamRuleFacts& facts) {
  for (const auto& r : rules)
    if (matches(r, facts)) return &r;
  return nullptr;
}

std::string home_team_by_rule(const std::vector<routing::TeamRule>& rules,
                              const TeamRuleFacts& facts) {
  const auto* rule = first_matching_team_rule(rules, facts);
  return rule ? rule->team : std::string();
}

}  // namespace omnigate::routing_specs
