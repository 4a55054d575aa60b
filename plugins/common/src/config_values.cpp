#include <omnigate/common/config_values.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace omnigate::config_values {

using nlohmann::json;

std::string string_at(const json& j, std::string_view key) {
  if (!j.is_string()) throw ConfigError(key, "must be a string");
  return j.get<std::string>();
}

bool bool_at(const json& j, std::string_view key) {
  if (!j.is_boolean()) throw ConfigError(key, "must be true or false");
  return j.get<bool>();
}

long long int_at(const json& j, std::string_view key, long long min, long long max) {
  if (!j.is_number_integer()) throw ConfigError(key, "must be an integer");
  const auto v = j.get<long long>();
  if (v < min || v > max)
    throw ConfigError(key,
                      "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

std::string base_url_at(const json& j, std::string_view key) {
  std::string url = string_at(j, key);
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    throw ConfigError(key, "must be an http:// or https:// URL");
  if (url.find_first_of(" \t\r\n?#") != std::string::npos)
    throw ConfigError(key, "must be a base URL without spaces, query or fragment");
  while (url.ends_with('/')) url.pop_back();
  if (url.find("://") + 3 >= url.size()) throw ConfigError(key, "has no host");
  return url;
}

std::vector<SkillRequirement> skills_at(const json& j, std::string_view key) {
  if (!j.is_array()) throw ConfigError(key, "must be an array of {skill, min_level}");
  std::vector<SkillRequirement> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    const json& e = j[i];
    if (!e.is_object()) throw ConfigError(at, "must be an object {skill, min_level}");
    SkillRequirement s;
    for (const auto& [k, v] : e.items()) {
      if (k == "skill") {
        if (!v.is_string() || v.get<std::string>().empty())
          throw ConfigError(at + ".skill", "must be a non-empty string");
        s.skill = v.get<std::string>();
      } else if (k == "min_level") {
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 5)
          throw ConfigError(at + ".min_level", "must be an integer between 1 and 5");
        s.min_level = v.get<int>();
      } else {
        throw ConfigError(at + "." + k, "unknown key");
      }
    }
    if (s.skill.empty()) throw ConfigError(at + ".skill", "is required");
    out.push_back(std::move(s));
  }
  return out;
}

bool is_e164(std::string_view s) {
  if (s.size() < 3 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace omnigate::config_values
