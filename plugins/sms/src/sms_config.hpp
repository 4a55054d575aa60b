// The configuration of one SMS plugin instance, parsed and validated from the instance's JSON.
#pragma once

#include <omnigate/plugin.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::sms {

struct SmsConfig {
  std::string account_sid;
  std::string auth_token;  // secret: never logged, only used for Basic auth and HMAC
  std::string api_base = "https://api.twilio.com";
  std::string public_base_url;  // without trailing '/'
  std::string from_number;      // default sender (E.164), may be empty
  bool status_callback = true;
  bool validate_signature = true;
  std::vector<SkillRequirement> skills{{"sms", 1}};
  int default_priority = 0;           // 0 = let the routing policy decide
  std::size_t max_body_bytes = 6400;  // Twilio's 1600-character limit at up to 4 bytes each
  std::size_t max_media = 10;         // Twilio's MMS limit
  bool allow_private_api = false;
  int timeout_ms = 15000;
  // A reply still short of a final delivery state this long after Twilio accepted it has its
  // status fetched from the API (status callbacks can be lost); 0 turns that off.
  long long reconcile_after_ms = 10 * 60 * 1000;
  // Replies older than this are no longer polled (their state stays as last known).
  long long reconcile_max_age_ms = 3LL * 24 * 3600 * 1000;
};

// Throws omnigate::ConfigError naming the key for unknown keys, missing required keys and bad
// values.
SmsConfig parse_config(std::string_view json);

// JSON Schema of the config, published through OMNIGATE_PLUGIN.
extern const char* const kConfigSchemaJson;

}  // namespace omnigate::sms
