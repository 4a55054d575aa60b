#include "sms_config.hpp"

#include <omnigate/common/config_values.hpp>

#include <nlohmann/json.hpp>

#include <cctype>

namespace omnigate::sms {
using nlohmann::json;
using namespace config_values;

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
      c.account_sid = string_at(v, k);
      if (c.account_sid.empty()) throw ConfigError(k, "must not be empty");
      // The sid is a URL path segment: keep it to what Twilio issues (letters and digits).
      for (char ch : c.account_sid)
        if (!std::isalnum(static_cast<unsigned char>(ch)))
          throw ConfigError(k, "must contain only letters and digits");
      have_sid = true;
    } else if (key == "auth_token") {
      c.auth_token = string_at(v, k);
      if (c.auth_token.empty()) throw ConfigError(k, "must not be empty");
      have_token = true;
    } else if (key == "api_base") {
      c.api_base = base_url_at(v, k);
    } else if (key == "public_base_url") {
      c.public_base_url = base_url_at(v, k);
      have_public = true;
    } else if (key == "from_number") {
      c.from_number = string_at(v, k);
      if (!c.from_number.empty() && !is_e164(c.from_number))
        throw ConfigError(k, "must be an E.164 number like +14155550100");
    } else if (key == "status_callback") {
      c.status_callback = bool_at(v, k);
    } else if (key == "validate_signature") {
      c.validate_signature = bool_at(v, k);
    } else if (key == "skills") {
      c.skills = skills_at(v, "skills");
    } else if (key == "default_priority") {
      c.default_priority = static_cast<int>(int_at(v, k, 1, 4));
    } else if (key == "max_body_bytes") {
      c.max_body_bytes = static_cast<std::size_t>(int_at(v, k, 1, 1 << 20));
    } else if (key == "max_media") {
      c.max_media = static_cast<std::size_t>(int_at(v, k, 0, 100));
    } else if (key == "allow_private_api") {
      c.allow_private_api = bool_at(v, k);
    } else if (key == "timeout_ms") {
      c.timeout_ms = static_cast<int>(int_at(v, k, 100, 600000));
    } else if (key == "reconcile_after_ms") {
      c.reconcile_after_ms = int_at(v, k, 0, 7LL * 24 * 3600 * 1000);
      if (c.reconcile_after_ms != 0 && c.reconcile_after_ms < 100)
        throw ConfigError(k, "must be 0 (off) or at least 100");
    } else if (key == "reconcile_max_age_ms") {
      c.reconcile_max_age_ms = int_at(v, k, 1000, 90LL * 24 * 3600 * 1000);
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
