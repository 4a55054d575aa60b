// Reading one value of a plugin's JSON instance config: each function throws
// omnigate::ConfigError naming the key ("skills[1].min_level: must be an integer between 1 and
// 5"), the message the gateway shows the operator. Shared by the bundled plugins; not installed
// with the SDK.
#pragma once

#include <omnigate/plugin.hpp>

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace omnigate::config_values {

std::string string_at(const nlohmann::json& value, std::string_view key);
bool bool_at(const nlohmann::json& value, std::string_view key);
long long int_at(const nlohmann::json& value, std::string_view key, long long min, long long max);
// An http:// or https:// base URL without query or fragment; trailing '/' removed.
std::string base_url_at(const nlohmann::json& value, std::string_view key);
// [{"skill": "billing", "min_level": 2}, ...]; min_level 1..5, default 1.
std::vector<SkillRequirement> skills_at(const nlohmann::json& value, std::string_view key);

// "+" and 2..15 digits, not starting with 0 (ITU E.164).
bool is_e164(std::string_view number);

}  // namespace omnigate::config_values
