#include "email_config.hpp"

#include "ascii_text.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <sstream>

namespace omnigate::email {
namespace {

using nlohmann::json;

// Reads one JSON object's keys, each once, naming the full dotted key in every error.
class Section {
 public:
  Section(const json& j, std::string prefix) : j_(j), prefix_(std::move(prefix)) {
    if (!j_.is_object()) throw ConfigError(where(), "must be an object");
  }

  // Calls fn(key, value) for each key; an unknown key (fn returns false) is an error.
  template <class Fn>
  void each(Fn&& fn) const {
    for (const auto& [key, value] : j_.items())
      if (!fn(key, value)) throw ConfigError(name(key), "unknown key");
  }

  std::string name(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }
  std::string where() const { return prefix_.empty() ? "config" : prefix_; }

  std::string string(const std::string& key, const json& v, bool allow_empty = true) const {
    if (!v.is_string()) throw ConfigError(name(key), "must be a string");
    auto s = v.get<std::string>();
    if (!allow_empty && s.empty()) throw ConfigError(name(key), "must not be empty");
    return s;
  }
  bool boolean(const std::string& key, const json& v) const {
    if (!v.is_boolean()) throw ConfigError(name(key), "must be true or false");
    return v.get<bool>();
  }
  long long integer(const std::string& key, const json& v, long long min, long long max) const {
    if (!v.is_number_integer()) throw ConfigError(name(key), "must be an integer");
    const auto n = v.get<long long>();
    if (n < min || n > max)
      throw ConfigError(name(key),
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return n;
  }
  // A secret from a file: the file's content without the trailing newline.
  std::string secret_file(const std::string& key, const json& v) const {
    const std::string path = string(key, v, false);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(name(key), "cannot read " + path);
    std::ostringstream content;
    content << in.rdbuf();
    std::string s = content.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) throw ConfigError(name(key), path + " is empty");
    return s;
  }

 private:
  const json& j_;
  std::string prefix_;
};

// local@domain with nothing a header or an SMTP command could be split with; the domain is
// lower-cased (its case carries no meaning; the local part's may).
std::string mail_address(const Section& s, const std::string& key, const json& v) {
  std::string a = s.string(key, v, false);
  const auto at = a.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == a.size() ||
      a.find('@', at + 1) != std::string::npos ||
      a.find_first_of(" \t\r\n<>,;:\"()[]\\") != std::string::npos)
    throw ConfigError(s.name(key), "must be an address like support@example.com");
  return a.substr(0, at + 1) + ascii_lower(a.substr(at + 1));
}

std::vector<SkillRequirement> skills(const Section& s, const json& v) {
  if (!v.is_array()) throw ConfigError(s.name("skills"), "must be an array of {skill, min_level}");
  std::vector<SkillRequirement> out;
  for (size_t i = 0; i < v.size(); ++i) {
    Section item(v[i], s.name("skills") + "[" + std::to_string(i) + "]");
    SkillRequirement r;
    item.each([&](const std::string& k, const json& x) {
      if (k == "skill")
        r.skill = item.string(k, x, false);
      else if (k == "min_level")
        r.min_level = static_cast<int>(item.integer(k, x, 1, 5));
      else
        return false;
      return true;
    });
    if (r.skill.empty()) throw ConfigError(item.name("skill"), "is required");
    out.push_back(std::move(r));
  }
  return out;
}

MailTls tls_mode(const Section& s, const std::string& key, const json& v) {
  const std::string t = s.string(key, v);
  if (t == "tls") return MailTls::implicit;
  if (t == "starttls") return MailTls::starttls;
  if (t == "none") return MailTls::none;
  throw ConfigError(s.name(key), "must be \"tls\", \"starttls\" or \"none\"");
}

// The keys IMAP and SMTP share; false for a key that is not one of them.
bool server_key(const Section& s, const std::string& k, const json& v, MailServerSettings& out) {
  if (k == "host") {
    out.host = s.string(k, v, false);
    if (out.host.find_first_of(" /\\@\r\n") != std::string::npos)
      throw ConfigError(s.name(k), "must be a host name or address");
  } else if (k == "port") {
    out.port = static_cast<uint16_t>(s.integer(k, v, 1, 65535));
  } else if (k == "tls") {
    out.tls = tls_mode(s, k, v);
  } else if (k == "verify_peer") {
    out.verify_peer = s.boolean(k, v);
  } else if (k == "ca_file") {
    out.ca_file = s.string(k, v, false);
  } else if (k == "user") {
    out.user = s.string(k, v);
  } else if (k == "password") {
    out.password = s.string(k, v);
  } else if (k == "password_file") {
    out.password = s.secret_file(k, v);
  } else if (k == "timeout_seconds") {
    out.timeout_seconds = static_cast<int>(s.integer(k, v, 1, 600));
  } else {
    return false;
  }
  return true;
}

void require_host(const Section& s, const MailServerSettings& server) {
  if (server.host.empty()) throw ConfigError(s.name("host"), "is required");
}

WatcherSettings imap(const json& v) {
  Section s(v, "imap");
  WatcherSettings w;
  s.each([&](const std::string& k, const json& x) {
    if (server_key(s, k, x, w.server)) return true;
    if (k == "folder") {
      w.folder = s.string(k, x, false);
    } else if (k == "idle") {
      w.use_idle = s.boolean(k, x);
    } else if (k == "poll_interval_seconds") {
      w.poll_interval_seconds = static_cast<int>(s.integer(k, x, 1, 3600));
    } else if (k == "after_import") {
      const std::string a = s.string(k, x);
      if (a == "seen")
        w.after_import = AfterImport::seen;
      else if (a == "flag")
        w.after_import = AfterImport::flag;
      else if (a == "move")
        w.after_import = AfterImport::move;
      else if (a == "keep")
        w.after_import = AfterImport::keep;
      else
        throw ConfigError(s.name(k), "must be \"seen\", \"flag\", \"move\" or \"keep\"");
    } else if (k == "move_to") {
      w.move_to = s.string(k, x, false);
    } else if (k == "fetch_batch") {
      w.fetch_batch = static_cast<int>(s.integer(k, x, 1, 1000));
    } else {
      return false;
    }
    return true;
  });
  require_host(s, w.server);
  if (w.after_import == AfterImport::move && w.move_to.empty())
    throw ConfigError(s.name("move_to"), "is required when after_import = \"move\"");
  return w;
}

MailServerSettings smtp(const json& v) {
  Section s(v, "smtp");
  MailServerSettings out;
  out.tls = MailTls::starttls;  // submission (587) with STARTTLS is what providers document
  s.each([&](const std::string& k, const json& x) { return server_key(s, k, x, out); });
  require_host(s, out);
  return out;
}

WebhookConfig webhook(const json& v) {
  Section s(v, "webhook");
  WebhookConfig w;
  s.each([&](const std::string& k, const json& x) {
    if (k == "secret")
      w.secret = s.string(k, x, false);
    else if (k == "secret_file")
      w.secret = s.secret_file(k, x);
    else if (k == "mailgun_signing_key")
      w.mailgun_signing_key = s.string(k, x, false);
    else if (k == "mailgun_signing_key_file")
      w.mailgun_signing_key = s.secret_file(k, x);
    else if (k == "sendgrid_user")
      w.sendgrid_user = s.string(k, x, false);
    else if (k == "sendgrid_password")
      w.sendgrid_password = s.string(k, x, false);
    else if (k == "sendgrid_password_file")
      w.sendgrid_password = s.secret_file(k, x);
    else if (k == "max_signature_age_seconds")
      w.max_signature_age_seconds = static_cast<int>(s.integer(k, x, 10, 86400));
    else if (k == "max_body_bytes")
      w.max_body_bytes = static_cast<std::size_t>(s.integer(k, x, 1024, 256LL << 20));
    else
      return false;
    return true;
  });
  if (w.sendgrid_user.empty() != w.sendgrid_password.empty())
    throw ConfigError(s.name("sendgrid_password"),
                      "sendgrid_user and sendgrid_password are set together");
  return w;
}

void limits(const json& v, ReadLimits& out) {
  Section s(v, "limits");
  s.each([&](const std::string& k, const json& x) {
    if (k == "max_message_bytes")
      out.max_message_bytes = static_cast<std::size_t>(s.integer(k, x, 1024, 1LL << 30));
    else if (k == "max_header_bytes")
      out.max_header_bytes = static_cast<std::size_t>(s.integer(k, x, 1024, 16LL << 20));
    else if (k == "max_parts")
      out.max_parts = static_cast<int>(s.integer(k, x, 1, 100000));
    else if (k == "max_depth")
      out.max_depth = static_cast<int>(s.integer(k, x, 1, 100));
    else
      return false;
    return true;
  });
}

}  // namespace

EmailConfig parse_config(std::string_view text) {
  json j;
  try {
    j = text.empty() ? json::object() : json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError("config", std::string("is not valid JSON: ") + e.what());
  }
  Section s(j, "");
  EmailConfig c;
  s.each([&](const std::string& k, const json& v) {
    if (k == "address") {
      c.address = mail_address(s, k, v);
    } else if (k == "display_name") {
      c.display_name = s.string(k, v);
      if (c.display_name.find_first_of("\r\n") != std::string::npos)
        throw ConfigError(k, "must be one line");
    } else if (k == "aliases") {
      if (!v.is_array()) throw ConfigError(k, "must be an array of addresses");
      for (size_t i = 0; i < v.size(); ++i)
        c.aliases.push_back(ascii_lower(mail_address(s, k + "[" + std::to_string(i) + "]", v[i])));
    } else if (k == "message_id_domain") {
      c.message_id_domain = ascii_lower(s.string(k, v, false));
      if (c.message_id_domain.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") !=
          std::string::npos)
        throw ConfigError(k, "must be a domain name");
    } else if (k == "subject_token") {
      c.subject_token = s.boolean(k, v);
    } else if (k == "signature_text") {
      c.signature_text = s.string(k, v);
    } else if (k == "signature_html") {
      c.signature_html = s.string(k, v);
    } else if (k == "skills") {
      c.skills = skills(s, v);
    } else if (k == "default_priority") {
      c.default_priority = static_cast<int>(s.integer(k, v, 1, 4));
    } else if (k == "load_remote_images") {
      c.read.load_remote_images = s.boolean(k, v);
    } else if (k == "limits") {
      limits(v, c.read.limits);
    } else if (k == "max_outbound_bytes") {
      c.max_outbound_bytes = static_cast<std::size_t>(s.integer(k, v, 1024, 1LL << 30));
    } else if (k == "webhook") {
      c.webhook = webhook(v);
    } else if (k == "imap") {
      c.imap = imap(v);
    } else if (k == "smtp") {
      c.smtp = smtp(v);
    } else {
      return false;
    }
    return true;
  });
  if (c.address.empty()) throw ConfigError("address", "is required");
  if (c.message_id_domain.empty()) c.message_id_domain = c.address.substr(c.address.find('@') + 1);
  if (c.imap) c.imap->max_message_bytes = c.read.limits.max_message_bytes;
  return c;
}

// Draft-07, the dialect the host validates instance configs with before create() runs.
// parse_config() enforces the same and, beyond it, reads the *_file secrets.
const char* const kConfigSchemaJson = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "omnigate email plugin (IMAP/webhooks in, SMTP out)",
  "type": "object",
  "additionalProperties": false,
  "required": ["address"],
  "definitions": {
    "address": {"type": "string", "pattern": "^[^@\\s<>,;:\"()\\[\\]\\\\]+@[^@\\s<>,;:\"()\\[\\]\\\\]+$"},
    "secret": {"type": "string", "minLength": 1, "writeOnly": true},
    "file": {"type": "string", "minLength": 1},
    "host": {"type": "string", "minLength": 1},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "tls": {"enum": ["tls", "starttls", "none"]},
    "timeout": {"type": "integer", "minimum": 1, "maximum": 600, "default": 30}
  },
  "properties": {
    "address": {"$ref": "#/definitions/address", "description": "our mailbox: the From of replies"},
    "display_name": {"type": "string", "description": "the From display name of replies"},
    "aliases": {"type": "array", "items": {"$ref": "#/definitions/address"},
                "description": "other addresses of this mailbox (mail from them is never imported: no loops)"},
    "message_id_domain": {"type": "string", "pattern": "^[A-Za-z0-9.-]+$"},
    "subject_token": {"type": "boolean", "default": true},
    "signature_text": {"type": "string"},
    "signature_html": {"type": "string"},
    "skills": {"type": "array", "default": [{"skill": "email", "min_level": 1}],
               "items": {"type": "object", "additionalProperties": false, "required": ["skill"],
                         "properties": {"skill": {"type": "string", "minLength": 1},
                                        "min_level": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1}}}},
    "default_priority": {"type": "integer", "minimum": 1, "maximum": 4},
    "load_remote_images": {"type": "boolean", "default": false},
    "limits": {"type": "object", "additionalProperties": false, "properties": {
      "max_message_bytes": {"type": "integer", "minimum": 1024, "maximum": 1073741824, "default": 26214400},
      "max_header_bytes": {"type": "integer", "minimum": 1024, "maximum": 16777216, "default": 262144},
      "max_parts": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 500},
      "max_depth": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}},
    "max_outbound_bytes": {"type": "integer", "minimum": 1024, "maximum": 1073741824, "default": 26214400},
    "webhook": {"type": "object", "additionalProperties": false, "properties": {
      "secret": {"$ref": "#/definitions/secret"},
      "secret_file": {"$ref": "#/definitions/file"},
      "mailgun_signing_key": {"$ref": "#/definitions/secret"},
      "mailgun_signing_key_file": {"$ref": "#/definitions/file"},
      "sendgrid_user": {"type": "string", "minLength": 1},
      "sendgrid_password": {"$ref": "#/definitions/secret"},
      "sendgrid_password_file": {"$ref": "#/definitions/file"},
      "max_signature_age_seconds": {"type": "integer", "minimum": 10, "maximum": 86400, "default": 900},
      "max_body_bytes": {"type": "integer", "minimum": 1024, "maximum": 268435456, "default": 41943040}}},
    "imap": {"type": "object", "additionalProperties": false, "required": ["host"], "properties": {
      "host": {"$ref": "#/definitions/host"}, "port": {"$ref": "#/definitions/port"},
      "tls": {"$ref": "#/definitions/tls"}, "verify_peer": {"type": "boolean", "default": true},
      "ca_file": {"$ref": "#/definitions/file"}, "user": {"type": "string"},
      "password": {"type": "string", "writeOnly": true}, "password_file": {"$ref": "#/definitions/file"},
      "timeout_seconds": {"$ref": "#/definitions/timeout"},
      "folder": {"type": "string", "minLength": 1, "default": "INBOX"},
      "idle": {"type": "boolean", "default": true},
      "poll_interval_seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 60},
      "after_import": {"enum": ["seen", "flag", "move", "keep"], "default": "seen"},
      "move_to": {"type": "string", "minLength": 1},
      "fetch_batch": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}},
    "smtp": {"type": "object", "additionalProperties": false, "required": ["host"], "properties": {
      "host": {"$ref": "#/definitions/host"}, "port": {"$ref": "#/definitions/port"},
      "tls": {"$ref": "#/definitions/tls"}, "verify_peer": {"type": "boolean", "default": true},
      "ca_file": {"$ref": "#/definitions/file"}, "user": {"type": "string"},
      "password": {"type": "string", "writeOnly": true}, "password_file": {"$ref": "#/definitions/file"},
      "timeout_seconds": {"$ref": "#/definitions/timeout"}}}
  }
})json";

}  // namespace omnigate::email
