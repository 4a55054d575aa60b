// The configuration of one web-chat instance, parsed and validated from the instance's JSON
// (plugins/webchat/README.md, "Configuration"). Secrets are never logged.
#pragma once

#include "protocol.hpp"
#include "service_hours.hpp"
#include "transcript_mail.hpp"

#include <omnigate/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::webchat {

// A choice of the pre-chat form's "topic": the routing skill a conversation about it needs.
struct Topic {
  std::string id, label, skill;
  int min_level = 1;
};

struct WebchatConfig {
  std::vector<std::string> allowed_origins;  // "https://www.example.com" (scheme://host[:port])
  std::string secret;                        // signs visitor tokens
  std::string identity_secret;               // checks sites' identity hashes ("" = none)
  std::string site_name;                     // in the transcript mail's subject
  std::vector<SkillRequirement> skills{{"webchat", 1}};
  int default_priority = 0;
  std::vector<Topic> topics;

  ProtocolLimits protocol;                 // message text, attachments, CSAT comment
  std::size_t max_frame_bytes = 32768;     // a larger frame closes the connection with 1009
  double messages_per_second = 5;          // per connection, sustained ...
  double burst = 20;                       // ... with this many at once; more closes with 1008
  int max_connections_per_ip = 20;         // more are closed with 1008
  std::uint32_t hello_timeout_ms = 10000;  // no hello by then: closed with 1008
  std::uint64_t replay_limit = 1000;       // entries kept per session for resume
  std::size_t max_upload_bytes = 10u << 20;
  std::vector<std::string> upload_types{"image/png",  "image/jpeg",      "image/gif",
                                        "image/webp", "application/pdf", "text/plain"};

  ServiceHours service_hours = ServiceHours::always_open();
  std::optional<MailSettings> mail;  // transcripts and replies to offline messages

  bool origin_allowed(std::string_view origin) const;
  const Topic* topic(std::string_view id) const;
};

// Throws omnigate::ConfigError naming the key.
WebchatConfig parse_config(std::string_view json);

// JSON Schema (draft-07) of the config, published through OMNIGATE_PLUGIN.
const char* config_schema();

}  // namespace omnigate::webchat
