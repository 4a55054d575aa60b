#include "voice_config.hpp"

#include <omnigate/common/config_values.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace omnigate::voice {
namespace {

using nlohmann::json;
using namespace config_values;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void read_texts(const json& j, const std::string& key, Texts& t) {
  if (!j.is_object()) throw ConfigError(key, "must be an object of texts");
  const std::pair<const char*, std::string Texts::*> fields[] = {
      {"say_language", &Texts::say_language},
      {"voice", &Texts::voice},
      {"greeting", &Texts::greeting},
      {"menu", &Texts::menu},
      {"invalid_choice", &Texts::invalid_choice},
      {"queue_position", &Texts::queue_position},
      {"expected_wait", &Texts::expected_wait},
      {"connecting", &Texts::connecting},
      {"consent", &Texts::consent},
      {"voicemail", &Texts::voicemail},
      {"voicemail_thanks", &Texts::voicemail_thanks},
      {"closed", &Texts::closed},
      {"callback", &Texts::callback},
  };
  for (const auto& [name, value] : j.items()) {
    const std::string at = key + "." + name;
    if (name == "greeting_by_tier") {
      if (!value.is_object()) throw ConfigError(at, "must be an object {\"S\": text, ...}");
      for (const auto& [tier, text] : value.items()) {
        if (tier != "S" && tier != "A" && tier != "B" && tier != "C")
          throw ConfigError(at + "." + tier, "must be a tier S, A, B or C");
        t.greeting_by_tier[tier] = string_at(text, at + "." + tier);
      }
      continue;
    }
    const auto* f = std::find_if(std::begin(fields), std::end(fields),
                                 [n = std::string(name)](const auto& p) { return n == p.first; });
    if (f == std::end(fields)) throw ConfigError(at, "unknown text");
    t.*(f->second) = string_at(value, at);
  }
}

void read_ivr(const json& j, Ivr& ivr) {
  if (!j.is_object()) throw ConfigError("ivr", "must be an object");
  for (const auto& [name, value] : j.items()) {
    const std::string at = "ivr." + name;
    if (name == "timeout_s") {
      ivr.timeout_s = int(int_at(value, at, 1, 60));
    } else if (name == "attempts") {
      ivr.attempts = int(int_at(value, at, 1, 10));
    } else if (name == "speech") {
      ivr.speech = bool_at(value, at);
    } else if (name == "options") {
      if (!value.is_array()) throw ConfigError(at, "must be an array");
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string oat = at + "[" + std::to_string(i) + "]";
        const json& o = value[i];
        if (!o.is_object()) throw ConfigError(oat, "must be an object");
        IvrOption opt;
        for (const auto& [k, v] : o.items()) {
          const std::string kat = oat + "." + k;
          if (k == "digit") {
            opt.digit = string_at(v, kat);
            if (opt.digit.size() != 1 ||
                std::string_view("0123456789*#").find(opt.digit[0]) == std::string_view::npos)
              throw ConfigError(kat, "must be one key: 0-9, * or #");
          } else if (k == "speech") {
            if (!v.is_array()) throw ConfigError(kat, "must be an array of words");
            for (size_t w = 0; w < v.size(); ++w)
              opt.speech.push_back(lower(string_at(v[w], kat + "[" + std::to_string(w) + "]")));
          } else if (k == "label") {
            opt.label = string_at(v, kat);
          } else if (k == "skills") {
            opt.skills = skills_at(v, kat);
          } else if (k == "language") {
            opt.language = string_at(v, kat);
          } else if (k == "priority") {
            opt.priority = int(int_at(v, kat, 1, 4));
          } else if (k == "action") {
            const std::string a = string_at(v, kat);
            if (a != "queue" && a != "voicemail")
              throw ConfigError(kat, "must be queue or voicemail");
            opt.voicemail = a == "voicemail";
          } else {
            throw ConfigError(kat, "unknown key");
          }
        }
        if (opt.digit.empty() && opt.speech.empty())
          throw ConfigError(oat, "needs a digit or speech words");
        for (const auto& other : ivr.options)
          if (!opt.digit.empty() && other.digit == opt.digit)
            throw ConfigError(oat + ".digit", "is used by another option");
        ivr.options.push_back(std::move(opt));
      }
    } else {
      throw ConfigError(at, "unknown key");
    }
  }
}

}  // namespace

const Texts& VoiceConfig::texts(const std::string& language) const {
  const auto it = languages.find(language);
  return it != languages.end() ? it->second : languages.at(default_language);
}

const IvrOption* VoiceConfig::ivr_option(std::string_view digits, std::string_view speech) const {
  if (!digits.empty()) {
    for (const auto& o : ivr.options)
      if (o.digit == digits) return &o;
    return nullptr;
  }
  if (speech.empty()) return nullptr;
  // A speech result chooses the option one of whose words or phrases it contains (case
  // ignored); the first option in the menu wins a tie, as a listener would hear the menu.
  const std::string said = lower(std::string(speech));
  for (const auto& o : ivr.options)
    for (const auto& w : o.speech)
      if (!w.empty() && said.find(w) != std::string::npos) return &o;
  return nullptr;
}

std::string fill(std::string text, std::string_view name, std::string_view value) {
  const std::string token = "{" + std::string(name) + "}";
  for (auto pos = text.find(token); pos != std::string::npos;
       pos = text.find(token, pos + value.size()))
    text.replace(pos, token.size(), value);
  return text;
}

VoiceConfig parse_config(const std::string& config_json) {
  const json j = json::parse(config_json, nullptr, false);
  if (!j.is_object()) throw ConfigError("config", "must be a JSON object");
  VoiceConfig c;
  json languages = json::object();
  for (const auto& [key, value] : j.items()) {
    if (key == "account_sid") {
      c.account_sid = string_at(value, key);
    } else if (key == "auth_token") {
      c.auth_token = string_at(value, key);
    } else if (key == "public_base_url") {
      c.public_base_url = base_url_at(value, key);
    } else if (key == "api_base") {
      c.api_base = base_url_at(value, key);
    } else if (key == "allow_private_api") {
      c.allow_private_api = bool_at(value, key);
    } else if (key == "validate_signature") {
      c.validate_signature = bool_at(value, key);
    } else if (key == "caller_id") {
      c.caller_id = string_at(value, key);
      if (!is_e164(c.caller_id)) throw ConfigError(key, "must be an E.164 number (+441632960000)");
    } else if (key == "skills") {
      c.skills = skills_at(value, key);
    } else if (key == "default_priority") {
      c.default_priority = int(int_at(value, key, 1, 4));
    } else if (key == "default_language") {
      c.default_language = string_at(value, key);
    } else if (key == "languages") {
      if (!value.is_object()) throw ConfigError(key, "must be an object of languages");
      languages = value;
    } else if (key == "ivr") {
      read_ivr(value, c.ivr);
    } else if (key == "service_hours") {
      c.service_hours = webchat::ServiceHours::from_json(value);
    } else if (key == "blocked_numbers") {
      if (!value.is_array()) throw ConfigError(key, "must be an array of E.164 numbers");
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string at = key + "[" + std::to_string(i) + "]";
        std::string n = string_at(value[i], at);
        if (!is_e164(n)) throw ConfigError(at, "must be an E.164 number");
        c.blocked_numbers.insert(std::move(n));
      }
    } else if (key == "hold_music_url") {
      c.hold_music_url = string_at(value, key);
      if (!c.hold_music_url.empty() && !c.hold_music_url.starts_with("https://") &&
          !c.hold_music_url.starts_with("http://"))
        throw ConfigError(key, "must be an http:// or https:// URL");
    } else if (key == "hold_poll_ms") {
      c.hold_poll_ms = int(int_at(value, key, 500, 8000));
    } else if (key == "ring_timeout_s") {
      c.ring_timeout_s = int(int_at(value, key, 5, 120));
    } else if (key == "record_calls") {
      c.record_calls = bool_at(value, key);
    } else if (key == "consent_announcement") {
      c.consent_announcement = bool_at(value, key);
    } else if (key == "voicemail_max_s") {
      c.voicemail_max_s = int(int_at(value, key, 5, 3600));
    } else if (key == "transcribe") {
      c.transcribe = bool_at(value, key);
    } else if (key == "max_recording_bytes") {
      c.max_recording_bytes = int_at(value, key, 1024, 4LL * 1024 * 1024 * 1024);
    } else if (key == "callback_on_abandon") {
      c.callback_on_abandon = bool_at(value, key);
    } else if (key == "agent_dial_order") {
      if (!value.is_array() || value.empty())
        throw ConfigError(key, "must be a non-empty array of client, sip, phone");
      c.agent_dial_order.clear();
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string at = key + "[" + std::to_string(i) + "]";
        std::string f = string_at(value[i], at);
        if (f != "client" && f != "sip" && f != "phone")
          throw ConfigError(at, "must be client, sip or phone");
        c.agent_dial_order.push_back(std::move(f));
      }
    } else if (key == "timeout_ms") {
      c.timeout_ms = int(int_at(value, key, 100, 600000));
    } else {
      throw ConfigError(key, "unknown key");
    }
  }
  if (c.account_sid.empty()) throw ConfigError("account_sid", "is required");
  if (c.auth_token.empty()) throw ConfigError("auth_token", "is required");
  c.languages[c.default_language] = Texts{};
  for (const auto& [code, texts] : languages.items()) {
    Texts t;
    read_texts(texts, "languages." + code, t);
    c.languages[code] = std::move(t);
  }
  for (const auto& o : c.ivr.options)
    if (!o.language.empty() && !c.languages.count(o.language))
      throw ConfigError("ivr.options", "language " + o.language + " is not in languages");
  return c;
}

const char* const kConfigSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "required": ["account_sid", "auth_token"],
  "properties": {
    "account_sid": {"type": "string", "pattern": "^AC[0-9a-zA-Z]{32}$"},
    "auth_token": {"type": "string", "minLength": 1, "writeOnly": true},
    "public_base_url": {"type": "string"},
    "api_base": {"type": "string"},
    "allow_private_api": {"type": "boolean"},
    "validate_signature": {"type": "boolean"},
    "caller_id": {"type": "string", "pattern": "^\\+[1-9][0-9]{1,14}$"},
    "skills": {"type": "array", "items": {"type": "object"}},
    "default_priority": {"type": "integer", "minimum": 1, "maximum": 4},
    "default_language": {"type": "string", "minLength": 1},
    "languages": {"type": "object", "additionalProperties": {"type": "object"}},
    "ivr": {"type": "object"},
    "service_hours": {"type": "object"},
    "blocked_numbers": {"type": "array", "items": {"type": "string"}},
    "hold_music_url": {"type": "string"},
    "hold_poll_ms": {"type": "integer", "minimum": 500, "maximum": 8000},
    "ring_timeout_s": {"type": "integer", "minimum": 5, "maximum": 120},
    "record_calls": {"type": "boolean"},
    "consent_announcement": {"type": "boolean"},
    "voicemail_max_s": {"type": "integer", "minimum": 5, "maximum": 3600},
    "transcribe": {"type": "boolean"},
    "max_recording_bytes": {"type": "integer", "minimum": 1024},
    "callback_on_abandon": {"type": "boolean"},
    "agent_dial_order": {"type": "array", "items": {"enum": ["client", "sip", "phone"]}},
    "timeout_ms": {"type": "integer", "minimum": 100, "maximum": 600000}
  }
})";

}  // namespace omnigate::voice
