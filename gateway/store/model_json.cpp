#include "store/model_json.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
using nlohmann::json;

std::string skills_to_json(const std::vector<SkillLevel>& skills) {
  json out = json::array();
  for (const auto& s : skills) out.push_back({{"skill", s.skill}, {"level", s.level}});
  return out.dump();
}

std::vector<SkillLevel> skills_from_json(const std::string& text) {
  std::vector<SkillLevel> out;
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    // Written by us, but the column may have been edited by hand: skip what is not a skill.
    if (!item.is_object() || !item.contains("skill") || !item["skill"].is_string()) continue;
    const auto level = item.find("level");
    const bool has_level = level != item.end() && level->is_number_integer();
    out.push_back({item["skill"].get<std::string>(), has_level ? level->get<int>() : 1});
  }
  return out;
}

std::string tiers_to_json(const std::vector<Tier>& tiers) {
  json out = json::array();
  for (auto t : tiers) out.push_back(to_string(t));
  return out.dump();
}

std::vector<Tier> tiers_from_json(const std::string& text) {
  std::vector<Tier> out;
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (!item.is_string()) continue;
    if (auto t = tier_from_string(item.get<std::string>())) out.push_back(*t);
  }
  return out;
}

std::string capacity_to_json(const std::map<std::string, int>& capacity) {
  return json(capacity).dump();
}

std::map<std::string, int> capacity_from_json(const std::string& text) {
  std::map<std::string, int> out;
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [kind, value] : j.items()) {
    if (value.is_number_integer()) out[kind] = value.get<int>();
  }
  return out;
}

std::string json_object_with(const std::string& text,
                             const std::map<std::string, std::string>& extra, const char* what) {
  json j = text.empty() ? json::object() : json::parse(text, nullptr, false);
  if (!j.is_object()) throw std::invalid_argument(std::string(what) + " must be a JSON object");
  for (const auto& [k, v] : extra) j[k] = v;
  return j.dump();
}

}  // namespace omnigate::store
