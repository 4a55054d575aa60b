// The voice_webhook instance config (plugins/voice_webhook/README.md, "Configuration"), read
// once in create(). The host has validated it against kConfigSchemaJson; parse_config checks
// what a schema cannot say and throws omnigate::ConfigError naming the key.
#pragma once

#include "service_hours.hpp"

#include <omnigate/plugin.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::voice {

// What the caller hears, in one language. Every text has an English default.
struct Texts {
  std::string say_language = "en-GB";  // <Say language>
  std::string voice;                   // <Say voice>, empty = provider default
  std::string greeting = "Thank you for calling.";
  std::map<std::string, std::string> greeting_by_tier;  // "S".."C" → greeting
  std::string menu = "Please choose from the following options.";
  std::string invalid_choice = "Sorry, that is not one of the options.";
  std::string queue_position = "You are number {position} in the queue.";
  std::string expected_wait = "The expected wait is about {minutes} minutes.";
  std::string connecting = "Please hold while we connect you to the next available agent.";
  std::string consent = "This call is recorded for quality and training purposes.";
  std::string voicemail = "Please leave a message after the tone. Press the hash key when done.";
  std::string voicemail_thanks = "Thank you. We will call you back. Goodbye.";
  std::string closed = "We are closed at the moment. Please leave a message after the tone.";
  std::string callback = "Hello, this is your call back. Please hold for your agent.";
};

struct IvrOption {
  std::string digit;                // "0".."9", "*", "#"
  std::vector<std::string> speech;  // lower-case words or phrases that choose it
  std::string label;
  std::vector<SkillRequirement> skills;
  std::string language;  // empty = keep the caller's
  int priority = 0;      // 0 = the instance default
  bool voicemail = false;
};

struct Ivr {
  int timeout_s = 5;
  int attempts = 2;
  bool speech = true;
  std::vector<IvrOption> options;  // empty: no menu, straight to the queue
};

struct VoiceConfig {
  std::string account_sid, auth_token;
  std::string public_base_url;  // empty: the gateway's (host_info)
  std::string api_base = "https://api.twilio.com";
  bool allow_private_api = false;
  bool validate_signature = true;
  std::string caller_id;
  std::vector<SkillRequirement> skills = {{"voice", 1}};
  int default_priority = 0;
  std::string default_language = "en";
  std::map<std::string, Texts> languages;  // always has default_language
  Ivr ivr;
  std::optional<webchat::ServiceHours> service_hours;  // nullopt: always open
  std::set<std::string> blocked_numbers;
  std::string hold_music_url;
  int hold_poll_ms = 3000;
  int ring_timeout_s = 20;
  bool record_calls = false;
  bool consent_announcement = true;
  int voicemail_max_s = 120;
  bool transcribe = true;
  long long max_recording_bytes = 50LL * 1024 * 1024;
  bool callback_on_abandon = false;
  std::vector<std::string> agent_dial_order = {"client", "sip", "phone"};
  int timeout_ms = 15000;

  const Texts& texts(const std::string& language) const;
  const IvrOption* ivr_option(std::string_view digits, std::string_view speech) const;
};

VoiceConfig parse_config(const std::string& config_json);

// "{position}" and "{minutes}" replaced; nothing else is a placeholder.
std::string fill(std::string text, std::string_view name, std::string_view value);

extern const char* const kConfigSchemaJson;

}  // namespace omnigate::voice
