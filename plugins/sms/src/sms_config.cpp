#include "sms_config.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace omnigate::sms {
namespace {

using nlohmann::json;

std::string require_string(const json& j, const char* key) {
  if (!j.is_string()) throw ConfigError(key, "must be a string");
  return j.get<std::string>();
}

bool require_bool(const json& j, const char* key) {
  if (!j.is_boolean()) throw ConfigError(key, "must be true or false");
  return j.get<bool>();
}

long long require_int(const json& j, const char* key, long long min, long long max) {
  if (!j.is_number_integer()) throw ConfigError(key, "must be an integer");
  long long v = j.get<long long>();
  if (v < min || v > max)
    throw ConfigError(key,
                      "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

std::string require_http_url(const json& j, const char* key) {
  std::string url = require_string(j, key);
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    throw ConfigError(key, "must be an http:// or https:// URL");
  if (url.find_first_of(" \t\r\n?#") != std::string::npos)
    throw ConfigError(key, "must be a base URL without spaces, query or fragment");
  while (url.ends_with('/')) url.pop_back();
  if (url.find("://") + 3 >= url.size()) throw ConfigError(key, "has no host");
  return url;
}

bool is_e164(std::string_view s) {
  if (s.size() < 3 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (char c : s.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

std::vector<SkillRequirement> parse_skills(const json& j) {
  if (!j.is_array()) throw ConfigError("skills", "must be an array of {skill, min_level}");
  std::vector<SkillRequirement> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const json& e = j[i];
    std::string at = "skills[" + std::to_string(i) + "]";
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

}  // namespace

SmsConfig parse_config(std::string_view text) {
  json j;
  try {
    j = text.empty() ? json::object() : json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError("config", std::string("is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config", "must be a JSON object");

  SmsConfig c;
  bool have_sid = false, have_token = false, have_public = false;
  for (const auto& [key, v] : j.items()) {
    const char* k = key.c_str();
    if (key == "account_sid") {
      c.account_sid = require_string(v, k);
      if (c.account_sid.empty()) throw ConfigError(k, "must not be empty");
      // The sid is a URL path segment: keep it to what Twilio issues (letters and digits).
      for (char ch : c.account_sid)
        if (!std::isalnum(static_cast<unsigned char>(ch)))
          throw ConfigError(k, "must contain only letters and digits");
      have_sid = true;
    } else if (key == "auth_token") {
      c.auth_token = require_string(v, k);
      if (c.auth_token.empty()) throw ConfigError(k, "must not be empty");
      have_token = true;
    } else if (key == "api_base") {
      c.api_base = require_http_url(v, k);
    } else if (key == "public_base_url") {
      c.public_base_url = require_http_url(v, k);
      have_public = true;
    } else if (key == "from_number") {
      c.from_number = require_string(v, k);
      if (!c.from_number.empty() && !is_e164(c.from_number))
        throw ConfigError(k, "must be an E.164 number like +14155550100");
    } else if (key == "status_callback") {
      c.status_callback = require_bool(v, k);
    } else if (key == "validate_signature") {
      c.validate_signature = require_bool(v, k);
    } else if (key == "skills") {
      c.skills = parse_skills(v);
    } else if (key == "default_priority") {
      c.default_priority = static_cast<int>(require_int(v, k, 1, 4));
    } else if (key == "max_body_bytes") {
      c.max_body_bytes = static_cast<std::size_t>(require_int(v, k, 1, 1 << 20));
    } else if (key == "max_media") {
      c.max_media = static_cast<std::size_t>(require_int(v, k, 0, 100));
    } else if (key == "allow_private_api") {
      c.allow_private_api = require_bool(v, k);
    } else if (key == "timeout_ms") {
      c.timeout_ms = static_cast<int>(require_int(v, k, 100, 600000));
    } else if (key == "reconcile_after_ms") {
      c.reconcile_after_ms = require_int(v, k, 0, 7LL * 24 * 3600 * 1000);
      if (c.reconcile_after_ms != 0 && c.reconcile_after_ms < 100)
        throw ConfigError(k, "must be 0 (off) or at least 100");
    } else if (key == "reconcile_max_age_ms") {
      c.reconcile_max_age_ms = require_int(v, k, 1000, 90LL * 24 * 3600 * 1000);
    } else {
      throw ConfigError(key, "unknown key");
    }
  }
  if (!have_sid) throw ConfigError("account_sid", "is required");
  if (!have_token) throw ConfigError("auth_token", "is required");
  if (!have_public) throw ConfigError("public_base_url", "is required");
  if (c.reconcile_after_ms != 0 && c.reconcile_max_age_ms <= c.reconcile_after_ms)
    throw ConfigError("reconcile_max_age_ms", "must be greater than reconcile_after_ms");
  return c;
}

// Draft-07, the dialect the host validates instance configs with before create() runs; it says
// what parse_config() enforces, except that reconcile_max_age_ms must exceed reconcile_after_ms
// (JSON Schema cannot compare two values), which parse_config() still checks.
const char* const kConfigSchemaJson = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "omnigate sms plugin (Twilio-compatible)",
  "type": "object",
  "additionalProperties": false,
  "required": ["account_sid", "auth_token", "public_base_url"],
  "definitions": {
    "base_url": {"type": "string", "pattern": "^https?://[^/ \\t\\r\\n?#][^ \\t\\r\\n?#]*$"}
  },
  "properties": {
    "account_sid": {"type": "string", "pattern": "^[A-Za-z0-9]+$", "description": "Twilio Account SID (AC...)"},
    "auth_token": {"type": "string", "minLength": 1, "writeOnly": true, "description": "Twilio auth token: Basic auth password and webhook signing key. Secret."},
    "api_base": {"$ref": "#/definitions/base_url", "default": "https://api.twilio.com", "description": "REST API base URL"},
    "public_base_url": {"$ref": "#/definitions/base_url", "description": "URL Twilio uses to reach the gateway, e.g. https://gw.example.com; webhook signatures are computed over it"},
    "from_number": {"type": "string", "pattern": "^(\\+[1-9][0-9]{1,14})?$", "description": "default sender (E.164); empty = none"},
    "status_callback": {"type": "boolean", "default": true},
    "validate_signature": {"type": "boolean", "default": true},
    "skills": {"type": "array", "default": [{"skill": "sms", "min_level": 1}],
               "items": {"type": "object", "additionalProperties": false, "required": ["skill"],
                         "properties": {"skill": {"type": "string", "minLength": 1},
                                        "min_level": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1}}}},
    "default_priority": {"type": "integer", "minimum": 1, "maximum": 4},
    "max_body_bytes": {"type": "integer", "minimum": 1, "maximum": 1048576, "default": 6400},
    "max_media": {"type": "integer", "minimum": 0, "maximum": 100, "default": 10},
    "allow_private_api": {"type": "boolean", "default": false},
    "timeout_ms": {"type": "integer", "minimum": 100, "maximum": 600000, "default": 15000},
    "reconcile_after_ms": {"type": "integer", "maximum": 604800000, "default": 600000,
                           "anyOf": [{"const": 0}, {"minimum": 100}],
                           "description": "poll Twilio for replies without a final delivery state after this long; 0 = off"},
    "reconcile_max_age_ms": {"type": "integer", "minimum": 1000, "maximum": 7776000000, "default": 259200000,
                             "description": "stop polling replies older than this; must exceed reconcile_after_ms"}
  }
})json";

}  // namespace omnigate::sms
