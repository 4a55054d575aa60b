#include "webchat_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace omnigate::webchat {
namespace {

using nlohmann::json;

template <class T>
T value_or(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->get<T>();
}

}  // namespace

bool WebchatConfig::origin_allowed(std::string_view origin) const {
  return std::find(allowed_origins.begin(), allowed_origins.end(), origin) != allowed_origins.end();
}

const Topic* WebchatConfig::topic(std::string_view id) const {
  for (const auto& t : topics)
    if (t.id == id) return &t;
  return nullptr;
}

WebchatConfig parse_config(std::string_view text) {
  // The gateway has checked the schema already: types, bounds and unknown keys are right here.
  const json j = json::parse(text);
  WebchatConfig c;
  c.allowed_origins = j.at("allowed_origins").get<std::vector<std::string>>();
  for (auto& origin : c.allowed_origins)
    if (!origin.empty() && origin.back() == '/') origin.pop_back();
  c.secret = j.at("secret").get<std::string>();
  c.identity_secret = value_or<std::string>(j, "identity_secret", "");
  c.site_name = value_or<std::string>(j, "site_name", "our website");
  if (auto it = j.find("skills"); it != j.end()) {
    c.skills.clear();
    for (const auto& s : *it)
      c.skills.push_back({s.at("skill").get<std::string>(), s.value("min_level", 1)});
  }
  c.default_priority = value_or(j, "default_priority", 0);
  if (auto it = j.find("topics"); it != j.end()) {
    for (const auto& t : *it) {
      Topic topic{t.at("id").get<std::string>(), t.value("label", t.at("id").get<std::string>()),
                  t.value("skill", std::string()), t.value("min_level", 1)};
      if (c.topic(topic.id) != nullptr)
        throw ConfigError("topics", "topic \"" + topic.id + "\" is listed twice");
      c.topics.push_back(std::move(topic));
    }
  }
  c.protocol.max_text_bytes = value_or<std::size_t>(j, "max_message_bytes", 4096);
  c.max_frame_bytes = value_or<std::size_t>(j, "max_frame_bytes", 32768);
  if (c.max_frame_bytes < c.protocol.max_text_bytes + 1024)
    throw ConfigError("max_frame_bytes", "must be at least max_message_bytes + 1024");
  c.messages_per_second = value_or(j, "messages_per_second", 5.0);
  c.burst = value_or(j, "burst", 20.0);
  c.max_connections_per_ip = value_or(j, "max_connections_per_ip", 20);
  c.hello_timeout_ms = value_or<std::uint32_t>(j, "hello_timeout_ms", 10000);
  c.replay_limit = value_or<std::uint64_t>(j, "replay_limit", 1000);
  c.max_upload_bytes = value_or<std::size_t>(j, "max_upload_bytes", 10u << 20);
  if (auto it = j.find("upload_types"); it != j.end())
    c.upload_types = it->get<std::vector<std::string>>();
  if (auto it = j.find("service_hours"); it != j.end())
    c.service_hours = ServiceHours::from_json(*it);
  if (auto it = j.find("mail"); it != j.end()) c.mail = MailSettings::from_json(*it);
  return c;
}

const char* config_schema() {
  static const std::string schema = std::string(R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "omnigate web-chat plugin (widget + WebSocket)",
  "type": "object",
  "additionalProperties": false,
  "required": ["allowed_origins", "secret"],
  "properties": {
    "allowed_origins": {"type": "array", "minItems": 1,
      "items": {"type": "string", "pattern": "^https?://[^/\\s]+/?$"},
      "description": "origins (scheme://host[:port]) of the pages that may embed the widget"},
    "secret": {"type": "string", "minLength": 16, "writeOnly": true,
      "description": "signs visitor tokens; changing it starts every visitor afresh"},
    "identity_secret": {"type": "string", "minLength": 16, "writeOnly": true,
      "description": "the key sites sign their users' identifiers with (HMAC-SHA256)"},
    "site_name": {"type": "string", "minLength": 1},
    "skills": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["skill"], "properties": {"skill": {"type": "string", "minLength": 1},
      "min_level": {"type": "integer", "minimum": 1, "maximum": 5}}}},
    "default_priority": {"type": "integer", "minimum": 1, "maximum": 4},
    "topics": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["id"], "properties": {"id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
      "label": {"type": "string"}, "skill": {"type": "string", "minLength": 1},
      "min_level": {"type": "integer", "minimum": 1, "maximum": 5}}}},
    "max_message_bytes": {"type": "integer", "minimum": 1, "maximum": 16384},
    "max_frame_bytes": {"type": "integer", "minimum": 2048, "maximum": 1048576},
    "messages_per_second": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
    "burst": {"type": "number", "minimum": 1, "maximum": 10000},
    "max_connections_per_ip": {"type": "integer", "minimum": 1, "maximum": 100000},
    "hello_timeout_ms": {"type": "integer", "minimum": 100, "maximum": 600000},
    "replay_limit": {"type": "integer", "minimum": 10, "maximum": 1000000},
    "max_upload_bytes": {"type": "integer", "minimum": 1, "maximum": 104857600},
    "upload_types": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+/[A-Za-z0-9.+-]+$"}},
    "service_hours": )json") + kServiceHoursSchema +
                                    R"json(,
    "mail": )json" + kMailSchema + "}}";
  return schema.c_str();
}

}  // namespace omnigate::webchat
