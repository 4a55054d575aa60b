// JSON column encodings of the model's list/map fields (skills, tiers, capacity). Kept in one
// place so the writer and the readers cannot disagree on the shape.
#pragma once

#include "store/model.hpp"

#include <map>
#include <string>
#include <vector>

namespace omnigate::store {

std::string skills_to_json(const std::vector<SkillLevel>& skills);  // [{"skill":..,"level":..}]
std::vector<SkillLevel> skills_from_json(const std::string& json);
std::string tiers_to_json(const std::vector<Tier>& tiers);  // ["S","A"]
std::vector<Tier> tiers_from_json(const std::string& json);
std::string capacity_to_json(const std::map<std::string, int>& capacity);  // {"sms":5}
std::map<std::string, int> capacity_from_json(const std::string& json);
// `json` must be empty (→ {}) or a JSON object; `extra` keys are added to it. Throws
// std::invalid_argument naming `what` when it is not an object.
std::string json_object_with(const std::string& json,
                             const std::map<std::string, std::string>& extra, const char* what);

}  // namespace omnigate::store
