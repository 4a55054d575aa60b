#include "config/config.hpp"

#include "config/config_reader.hpp"
#include "config/replaced_routing_keys.hpp"
#include "config/retention_config.hpp"
#include "core/log.hpp"
#include "core/password_hash.hpp"
#include "core/sha256.hpp"
#include "redaction/redactor.hpp"
#include "store/identity.hpp"
#include "store/service_case_records.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace omnigate::config {
namespace fs = std::filesystem;
namespace {

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = fs::path(base_dir) / path;
  return path.lexically_normal().string();
}

// <directory of the running executable>/../plugins: where the build and the install put them.
std::string default_plugin_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "plugins";
  return (exe.parent_path() / ".." / "plugins").lexically_normal().string();
}

// <directory of the running executable>/../share/omnigate/console: where the build copies
// web/console and the install puts it (gateway/app/CMakeLists.txt).
std::string default_console_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "share/omnigate/console";
  return (exe.parent_path() / ".." / "share" / "omnigate" / "console").lexically_normal().string();
}

bool is_name(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

// The required string at `key`, which must be a name (see is_name); `expected` says which
// characters in the error.
std::string required_name(TableReader& t, std::string_view key, std::string_view extra,
                          const char* expected) {
  std::string name = t.required_string(key);
  if (!is_name(name, extra)) throw ConfigError(t.key_path(key) + expected);
  return name;
}

// "host:port", "[::1]:port"; port 0..65535.
void parse_listen(const std::string& key, const std::string& value, GatewayConfig& out) {
  const std::string expected = key + ": expected \"host:port\"";
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    throw ConfigError(expected);
  }
  std::string host = value.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) throw ConfigError(expected);
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = value.substr(colon + 1);
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit)) {
    throw ConfigError(expected);
  }
  const long port = std::stol(port_text);
  if (port > 65535) throw ConfigError(key + ": port must be 0..65535");
  out.listen_address = host;
  out.listen_port = static_cast<std::uint16_t>(port);
}

// An absolute http(s) URL without a trailing '/' (plugins append "/channels/..."); "" unset.
std::string base_url(TableReader& t, std::string_view key) {
  std::string url = t.string(key).value_or("");
  if (url.empty()) return url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw ConfigError(t.key_path(key) + ": expected an http:// or https:// URL");
  }
  while (url.back() == '/') url.pop_back();
  return url;
}

void read_limits(TableReader t, ServerLimits& limits) {
  const std::int64_t kMax = std::int64_t{1} << 40;
  limits.max_header_bytes = static_cast<std::size_t>(
      t.integer("max_header_bytes", 1024, kMax).value_or(limits.max_header_bytes));
  limits.max_body_bytes = static_cast<std::size_t>(
      t.integer("max_body_bytes", 0, kMax).value_or(limits.max_body_bytes));
  limits.max_upload_bytes = static_cast<std::size_t>(
      t.integer("max_upload_bytes", 0, kMax).value_or(limits.max_upload_bytes));
  limits.request_timeout_ms = static_cast<int>(
      t.integer("request_timeout_ms", 1, 3'600'000).value_or(limits.request_timeout_ms));
  limits.idle_timeout_ms = static_cast<int>(
      t.integer("idle_timeout_ms", 1, 86'400'000).value_or(limits.idle_timeout_ms));
  limits.max_connections =
      static_cast<int>(t.integer("max_connections", 1, 1'000'000).value_or(limits.max_connections));
  limits.max_ws_message_bytes = static_cast<std::size_t>(
      t.integer("max_ws_message_bytes", 1, kMax).value_or(limits.max_ws_message_bytes));
  limits.max_ws_queued_messages = static_cast<std::size_t>(
      t.integer("max_ws_queued_messages", 1, 1'000'000).value_or(limits.max_ws_queued_messages));
  t.finish();
}

void read_server(TableReader t, const std::string& base_dir, GatewayConfig& out) {
  if (auto listen = t.string("listen")) parse_listen(t.key_path("listen"), *listen, out);
  out.public_base_url = base_url(t, "public_base_url");
  out.worker_threads =
      static_cast<int>(t.integer("worker_threads", 1, 256).value_or(out.worker_threads));
  if (auto web = t.string("web_dir")) out.web_dir = resolve(base_dir, *web);
  if (auto console = t.string("console_dir")) out.console_dir = resolve(base_dir, *console);
  if (auto dir = t.string("plugin_dir")) out.plugin_dir = resolve(base_dir, *dir);
  if (auto limits = t.table("limits")) read_limits(*limits, out.limits);
  t.finish();
}

void read_storage(TableReader t, GatewayConfig& out) {
  if (auto dir = t.string("data_dir")) {
    if (dir->empty()) throw ConfigError(t.key_path("data_dir") + ": expected a directory path");
    out.data_dir = *dir;
  }
  if (auto db = t.string("database")) {
    if (db->empty()) throw ConfigError(t.key_path("database") + ": expected a file name");
    out.database_file = *db;
  }
  t.finish();
}

void read_log(TableReader t, GatewayConfig& out) {
  if (auto level = t.string("level")) {
    if (!log_level_from_string(*level)) {
      throw ConfigError(t.key_path("level") + ": expected one of debug, info, warn, error");
    }
    out.log_level = *level;
  }
  t.finish();
}

void read_contact_logging(TableReader t, ContactLoggingConfig& c) {
  c.within_minutes =
      static_cast<int>(t.integer("within_minutes", 0, 7 * 24 * 60).value_or(c.within_minutes));
  c.remind_before_minutes = static_cast<int>(
      t.integer("remind_before_minutes", 0, 7 * 24 * 60).value_or(c.remind_before_minutes));
  if (c.within_minutes > 0 && c.remind_before_minutes >= c.within_minutes)
    throw ConfigError(t.key_path("remind_before_minutes") + ": must be below within_minutes");
  t.finish();
}

void read_csat(TableReader t, CsatConfig& c) {
  c.sms_window_minutes = static_cast<int>(
      t.integer("sms_window_minutes", 0, 30 * 24 * 60).value_or(c.sms_window_minutes));
  t.finish();
}

void read_service_cases(TableReader t, ServiceCasesConfig& c) {
  c.default_target_hours =
      static_cast<int>(t.integer("target_hours", 1, 24 * 365).value_or(c.default_target_hours));
  if (auto stages = t.table("stage_target_hours")) {
    for (const auto& stage : stages->keys()) {
      if (!store::case_stage_index(stage) || stage == "closed")
        throw ConfigError(stages->key_path(stage) +
                          ": expected a stage: received, recorded, classified, solution_proposed, "
                          "confirmed, appointment, accepted, settled or follow_up");
    }
    for (const auto& stage : stages->keys())
      c.stage_target_hours[stage] = static_cast<int>(*stages->integer(stage, 1, 24 * 365));
    stages->finish();
  }
  t.finish();
}

void read_outbox(TableReader t, OutboxConfig& o) {
  o.max_attempts = static_cast<int>(t.integer("max_attempts", 1, 1000).value_or(o.max_attempts));
  o.initial_backoff_ms = static_cast<int>(
      t.integer("initial_backoff_ms", 1, 86'400'000).value_or(o.initial_backoff_ms));
  o.max_backoff_ms =
      static_cast<int>(t.integer("max_backoff_ms", 1, 86'400'000).value_or(o.max_backoff_ms));
  o.send_timeout_ms =
      static_cast<int>(t.integer("send_timeout_ms", 1, 3'600'000).value_or(o.send_timeout_ms));
  o.poll_interval_ms =
      static_cast<int>(t.integer("poll_interval_ms", 10, 3'600'000).value_or(o.poll_interval_ms));
  if (o.max_backoff_ms < o.initial_backoff_ms) {
    throw ConfigError(t.key_path("max_backoff_ms") + ": must be >= initial_backoff_ms");
  }
  t.finish();
}

void read_complaints(TableReader t, ComplaintsConfig& c) {
  // Up to 30 days each: a window longer than that is no ladder.
  constexpr std::int64_t kMonth = 30 * 24 * 60;
  for (auto [key, field] : {std::pair{"contact_window_minutes", &c.contact_window_minutes},
                            std::pair{"director_window_minutes", &c.director_window_minutes},
                            std::pair{"fix_due_minutes", &c.fix_due_minutes},
                            std::pair{"executive_window_minutes", &c.executive_window_minutes},
                            std::pair{"major_close_minutes", &c.major_close_minutes}}) {
    *field = static_cast<int>(t.integer(key, 1, kMonth).value_or(*field));
  }
  t.finish();
}

constexpr const char* kPersonNameExpected =
    ": expected a name of letters, digits, '_', '-', '.', '@'";

}  // namespace

bool bundled_plugin_file(const std::string& file) {
  for (const char* bundled :
       {"libog_sms.so", "libog_email.so", "libog_webchat.so", "libog_voice_webhook.so"}) {
    if (file == bundled) return true;
  }
  return false;
}

namespace {

// An ISO 3166 code libphonenumber has numbering metadata for; upper-case as the standard spells
// it, so that "us" is not quietly a different key in the store's records.
std::string phone_region(TableReader& t, std::string_view key) {
  auto region = t.string(key);
  if (!region || region->empty()) return {};
  if (!store::is_phone_region(*region))
    throw ConfigError(t.key_path(key) + ": expected an ISO 3166 region with phone numbering " +
                      "(e.g. \"US\", \"DE\", \"CN\"), got \"" + *region + "\"");
  return *region;
}

PluginInstanceConfig read_plugin(TableReader t) {
  PluginInstanceConfig p;
  p.instance =
      required_name(t, "instance", "_-",
                    ": expected a name of letters, digits, '_' or '-' (it is a URL segment)");
  p.file = t.required_string("file");
  if (p.file.empty()) throw ConfigError(t.key_path("file") + ": expected a file name");
  p.enabled = t.boolean("enabled").value_or(true);
  p.allow_private_fetch = t.boolean("allow_private_fetch").value_or(false);
  if (auto n = t.integer("max_blob_bytes", 1, std::int64_t{1} << 40))
    p.max_blob_bytes = static_cast<std::uint64_t>(*n);
  if (auto n = t.integer("max_fetch_bytes", 1, std::int64_t{1} << 34))
    p.max_fetch_bytes = static_cast<std::uint64_t>(*n);
  p.config_json = t.table_as_json("config").value_or("{}");
  if (auto limits = t.table("body_limits")) {
    for (const auto& path : limits->keys()) {
      if (path.empty() || path.front() != '/') {
        throw ConfigError(limits->key_path(path) +
                          ": expected a route path below the mount, starting with '/'");
      }
      p.body_limits[path] =
          static_cast<std::uint64_t>(*limits->integer(path, 1, std::int64_t{1} << 40));
    }
    limits->finish();
  }
  p.public_base_url = base_url(t, "public_base_url");
  p.phone_region = phone_region(t, "phone_region");
  const auto isolation = t.string("isolation");
  if (!isolation) {
    p.isolation = bundled_plugin_file(p.file) ? PluginInstanceConfig::Isolation::in_process
                                              : PluginInstanceConfig::Isolation::process;
  } else if (*isolation == "process") {
    p.isolation = PluginInstanceConfig::Isolation::process;
  } else if (*isolation == "in_process") {
    p.isolation = PluginInstanceConfig::Isolation::in_process;
  } else {
    throw ConfigError(t.key_path("isolation") + ": expected \"process\" or \"in_process\"");
  }
  if (auto mb = t.integer("memory_limit_mb", 0, std::int64_t{1} << 20))
    p.memory_limit_bytes = static_cast<std::uint64_t>(*mb) * 1024 * 1024;
  if (auto n = t.integer("open_files_limit", 0, 1 << 20))
    p.open_files_limit = static_cast<std::uint64_t>(*n);
  t.finish();
  return p;
}

void read_supervision(TableReader t, SupervisionConfig& s) {
  auto get = [&](const char* key, int min, int max, int& into) {
    if (auto n = t.integer(key, min, max)) into = static_cast<int>(*n);
  };
  get("quarantine_after", 1, 1000, s.quarantine_after);
  get("crash_loop_crashes", 1, 1000, s.crash_loop_crashes);
  get("crash_loop_seconds", 1, 86'400, s.crash_loop_seconds);
  get("call_timeout_ms", 10, 3'600'000, s.call_timeout_ms);
  get("restart_backoff_ms", 0, 3'600'000, s.restart_backoff_ms);
  get("max_restart_backoff_ms", 0, 3'600'000, s.max_restart_backoff_ms);
  if (s.max_restart_backoff_ms < s.restart_backoff_ms)
    throw ConfigError(t.key_path("max_restart_backoff_ms") + ": must be >= restart_backoff_ms");
  t.finish();
}

store::Agent read_agent(TableReader t) {
  store::Agent a;
  a.id = required_name(t, "id", "_-.@", kPersonNameExpected);
  a.display_name = t.string("display_name").value_or(a.id);
  a.team = t.string("team").value_or("");
  if (auto skills = t.table("skills")) {
    for (const auto& skill : skills->keys()) {
      a.skills.push_back({skill, static_cast<int>(*skills->integer(skill, 1, 5))});
    }
    skills->finish();
  }
  if (auto tiers = t.string_array("tiers")) {
    for (std::size_t i = 0; i < tiers->size(); ++i) {
      auto tier = store::tier_from_string((*tiers)[i]);
      if (!tier) {
        throw ConfigError(t.key_path("tiers") + "[" + std::to_string(i) +
                          "]: expected one of S, A, B, C");
      }
      a.tiers.push_back(*tier);
    }
  }
  if (auto capacity = t.table("capacity")) {
    // Keys are channel kinds (any plugin's) and "total"; "default" is the routing policy's
    // (routing.capacity.default), never an agent's.
    for (const auto& kind : capacity->keys()) {
      if (kind == "default")
        throw ConfigError(capacity->key_path(kind) +
                          ": the capacity for kinds nobody names is routing.capacity.default");
      a.capacity[kind] = static_cast<int>(*capacity->integer(kind, 0, 100));
    }
    capacity->finish();
  }
  if (auto contact = t.table("contact")) {
    // The same limits as the admin API's contact object (docs/api.md): the channels that dial
    // the agent read it.
    constexpr std::size_t kMaxContactFields = 16, kMaxKeyBytes = 64, kMaxValueBytes = 256;
    nlohmann::json fields = nlohmann::json::object();
    const auto keys = contact->keys();
    if (keys.size() > kMaxContactFields)
      throw ConfigError(t.key_path("contact") + ": at most 16 fields");
    for (const auto& key : keys) {
      if (key.size() > kMaxKeyBytes)
        throw ConfigError(contact->key_path(key) + ": keys are at most 64 bytes");
      const auto value = contact->string(key);
      if (value->size() > kMaxValueBytes)
        throw ConfigError(contact->key_path(key) + ": at most 256 bytes");
      fields[key] = *value;
    }
    contact->finish();
    a.contact_json = fields.dump();
  }
  if (auto presence = t.string("presence")) {
    auto p = store::presence_from_string(*presence);
    if (!p) {
      throw ConfigError(t.key_path("presence") + ": expected one of online, busy, away, offline");
    }
    a.presence = *p;
  }
  t.finish();
  return a;
}

UserConfig read_user(TableReader t) {
  UserConfig u;
  u.name = required_name(t, "name", "_-.@", kPersonNameExpected);
  const auto role = t.string("role");
  auto roles = t.string_array("roles");
  if (role && roles)
    throw ConfigError(t.key_path("roles") + ": give either role or roles, not both");
  if (!role && !roles) throw ConfigError(t.path() + ": expected role or roles");
  if (role) roles = std::vector<std::string>{*role};
  if (roles->empty()) throw ConfigError(t.key_path("roles") + ": expected at least one role");
  for (const auto& name : *roles) {
    auto parsed = store::role_from_string(name);
    if (!parsed)
      throw ConfigError(t.key_path(role ? "role" : "roles") +
                        ": expected one of agent, supervisor, qa, admin");
    u.roles.push_back(*parsed);
  }
  u.roles = store::normalised_roles(std::move(u.roles));
  u.agent_id = t.string("agent").value_or("");
  const auto token = t.string("token");
  const auto digest = t.string("token_sha256");
  if (token && digest) {
    throw ConfigError(t.key_path("token") + ": give either token or token_sha256, not both");
  }
  if (token) {
    if (token->size() < 8)
      throw ConfigError(t.key_path("token") + ": expected at least 8 characters");
    u.token_sha256 = sha256_hex(*token);  // the plain token is not kept
  } else if (digest) {
    std::string hex = *digest;
    std::transform(hex.begin(), hex.end(), hex.begin(), ::tolower);
    if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), ::isxdigit)) {
      throw ConfigError(t.key_path("token_sha256") + ": expected 64 hex digits (a SHA-256 digest)");
    }
    u.token_sha256 = hex;
  }
  const auto password = t.string("password");
  const auto password_hash = t.string("password_hash");
  if (password && password_hash)
    throw ConfigError(t.key_path("password") + ": give either password or password_hash, not both");
  if (password) {
    if (password->size() < 8)
      throw ConfigError(t.key_path("password") + ": expected at least 8 characters");
    u.password_hash = hash_password(*password);  // the plain password is not kept
  } else if (password_hash) {
    if (!is_password_hash(*password_hash))
      throw ConfigError(
          t.key_path("password_hash") +
          ": expected an argon2id hash ($argon2id$..., `omnigate users hash-password`)");
    u.password_hash = *password_hash;
  }
  if (u.token_sha256.empty() && u.password_hash.empty())
    throw ConfigError(t.path() + ": expected token, token_sha256, password or password_hash");
  t.finish();
  return u;
}

void read_auth(TableReader t, AuthConfig& c) {
  c.session_hours =
      static_cast<int>(t.integer("session_hours", 1, 24 * 90).value_or(c.session_hours));
  c.secure_cookie = t.boolean("secure_cookie").value_or(c.secure_cookie);
  c.lockout_failures =
      static_cast<int>(t.integer("lockout_failures", 1, 100).value_or(c.lockout_failures));
  c.lockout_minutes =
      static_cast<int>(t.integer("lockout_minutes", 1, 24 * 60).value_or(c.lockout_minutes));
  c.address_failures =
      static_cast<int>(t.integer("address_failures", 1, 10000).value_or(c.address_failures));
  c.address_window_minutes = static_cast<int>(
      t.integer("address_window_minutes", 1, 24 * 60).value_or(c.address_window_minutes));
  c.trust_forwarded_for = t.boolean("trust_forwarded_for").value_or(c.trust_forwarded_for);
  t.finish();
}

TierRule read_tier_rule(TableReader t) {
  TierRule r;
  if (auto domain = t.string("email_domain")) {
    r.email_domain = *domain;
    std::transform(r.email_domain.begin(), r.email_domain.end(), r.email_domain.begin(), ::tolower);
    if (!is_name(r.email_domain, "-.") || r.email_domain.find('.') == std::string::npos)
      throw ConfigError(t.key_path("email_domain") + ": expected a domain such as bigcorp.com");
  }
  if (auto prefix = t.string("phone_prefix")) {
    r.phone_prefix = *prefix;
    if (r.phone_prefix.size() < 2 || r.phone_prefix.size() > 16 || r.phone_prefix[0] != '+' ||
        !std::all_of(r.phone_prefix.begin() + 1, r.phone_prefix.end(), ::isdigit))
      throw ConfigError(t.key_path("phone_prefix") + ": expected '+' and digits, e.g. \"+4930\"");
  }
  if (auto attribute = t.string("attribute")) {
    if (attribute->empty()) throw ConfigError(t.key_path("attribute") + ": expected a key name");
    r.attribute = *attribute;
    r.equals = t.required_string("equals");
  } else if (t.string("equals")) {
    throw ConfigError(t.key_path("equals") + ": needs attribute");
  }
  const int matches =
      !r.email_domain.empty() + !r.phone_prefix.empty() + static_cast<int>(!r.attribute.empty());
  if (matches != 1)
    throw ConfigError(t.path() + ": expected exactly one of email_domain, phone_prefix, attribute");
  if (auto tier = t.string("tier")) {
    r.tier = store::tier_from_string(*tier);
    if (!r.tier) throw ConfigError(t.key_path("tier") + ": expected one of S, A, B, C");
  }
  if (auto team = t.string("account_team")) r.account_team = *team;
  if (t.string("account_manager"))
    r.account_manager = required_name(t, "account_manager", "_-.@", kPersonNameExpected);
  if (!r.tier && r.account_team.empty() && r.account_manager.empty())
    throw ConfigError(t.path() + ": expected tier, account_team or account_manager");
  t.finish();
  return r;
}

ValuationFactor read_valuation_factor(TableReader t) {
  ValuationFactor f;
  f.attribute = t.required_string("attribute");
  if (f.attribute.empty()) throw ConfigError(t.key_path("attribute") + ": expected a key name");
  f.weight = static_cast<int>(t.integer("weight", 1, 1000).value_or(1));
  // An integer key: operators write amounts and counts; fractions are not needed for a ceiling.
  f.full_at = static_cast<double>(t.integer("full_at", 1, 1'000'000'000'000).value_or(1));
  t.finish();
  return f;
}

CustomerValuation read_valuation(TableReader t) {
  CustomerValuation v;
  if (auto schedule = t.string("schedule")) {
    if (*schedule == "off")
      v.schedule = CustomerValuation::Schedule::off;
    else if (*schedule == "monthly")
      v.schedule = CustomerValuation::Schedule::monthly;
    else if (*schedule == "quarterly")
      v.schedule = CustomerValuation::Schedule::quarterly;
    else
      throw ConfigError(t.key_path("schedule") + ": expected quarterly, monthly or off");
  }
  if (auto factors = t.table_array("factors"))
    for (auto& f : *factors) v.factors.push_back(read_valuation_factor(f));
  if (v.factors.empty()) throw ConfigError(t.key_path("factors") + ": expected at least one");
  if (auto tiers = t.table("tier_from")) {
    v.s_from = static_cast<int>(tiers->integer("S", 0, 100).value_or(v.s_from));
    v.a_from = static_cast<int>(tiers->integer("A", 0, 100).value_or(v.a_from));
    v.b_from = static_cast<int>(tiers->integer("B", 0, 100).value_or(v.b_from));
    if (!(v.s_from >= v.a_from && v.a_from >= v.b_from))
      throw ConfigError(t.key_path("tier_from") + ": expected S >= A >= B");
    tiers->finish();
  }
  t.finish();
  return v;
}

void read_customers(TableReader t, GatewayConfig& out) {
  out.customers.default_region = phone_region(t, "default_region");
  if (auto hours = t.integer("merge_undo_hours", 0, 24 * 365))
    out.customers.merge_undo_hours = static_cast<int>(*hours);
  if (auto rules = t.table_array("tier_rules")) {
    for (auto& r : *rules) out.tier_rules.push_back(read_tier_rule(r));
  }
  if (auto valuation = t.table("valuation")) out.valuation = read_valuation(*valuation);
  t.finish();
}

void read_redaction(TableReader t, GatewayConfig& out) {
  if (auto patterns = t.string_array("patterns")) {
    try {
      redaction::Redactor{*patterns};
    } catch (const std::invalid_argument& e) {
      throw ConfigError(t.key_path("patterns") + ": " + e.what());
    }
    out.redaction.patterns = std::move(*patterns);
  }
  if (auto key_file = t.string("raw_key_file")) out.redaction.raw_key_file = *key_file;
  t.finish();
}

void check_references(const GatewayConfig& c) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < c.plugins.size(); ++i) {
    if (!seen.insert(c.plugins[i].instance).second) {
      throw ConfigError("plugins[" + std::to_string(i) + "].instance: duplicate instance \"" +
                        c.plugins[i].instance + "\"");
    }
  }
  std::set<std::string> agent_ids;
  for (std::size_t i = 0; i < c.agents.size(); ++i) {
    if (!agent_ids.insert(c.agents[i].id).second) {
      throw ConfigError("agents[" + std::to_string(i) + "].id: duplicate agent id \"" +
                        c.agents[i].id + "\"");
    }
  }
  seen.clear();
  for (std::size_t i = 0; i < c.users.size(); ++i) {
    const auto& u = c.users[i];
    const std::string where = "users[" + std::to_string(i) + "]";
    if (!seen.insert(u.name).second) {
      throw ConfigError(where + ".name: duplicate user name \"" + u.name + "\"");
    }
    if (!u.agent_id.empty() && !agent_ids.count(u.agent_id)) {
      throw ConfigError(where + ".agent: no agent with id \"" + u.agent_id + "\"");
    }
    if (std::find(u.roles.begin(), u.roles.end(), store::Role::agent) != u.roles.end() &&
        u.agent_id.empty()) {
      throw ConfigError(where + ".agent: a user with role agent needs an agent id");
    }
  }
  seen.clear();
  for (std::size_t i = 0; i < c.webhooks.size(); ++i) {
    if (!seen.insert(c.webhooks[i].name).second)
      throw ConfigError("webhooks[" + std::to_string(i) + "].name: duplicate webhook name \"" +
                        c.webhooks[i].name + "\"");
  }
}

}  // namespace

bool is_person_name(std::string_view s) {
  return is_name(s, "_-.@");
}

GatewayConfig load_config_from_string(const std::string& text, const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(std::string_view(text), std::string_view("config"));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError("line " + std::to_string(where.line) + ", column " +
                      std::to_string(where.column) + ": " + std::string(e.description()));
  }
  GatewayConfig c;
  TableReader top(root, "");
  if (auto server = top.table("server")) read_server(*server, base_dir, c);
  if (auto storage = top.table("storage")) read_storage(*storage, c);
  if (auto log = top.table("log")) read_log(*log, c);
  if (auto outbox = top.table("outbox")) read_outbox(*outbox, c.outbox);
  if (auto logging = top.table("contact_logging"))
    read_contact_logging(*logging, c.contact_logging);
  if (auto cases = top.table("service_cases")) read_service_cases(*cases, c.service_cases);
  if (auto csat = top.table("csat")) read_csat(*csat, c.csat);
  if (auto supervision = top.table("supervision")) read_supervision(*supervision, c.supervision);
  if (auto complaints = top.table("complaints")) read_complaints(*complaints, c.complaints);
  if (auto auth = top.table("auth")) read_auth(*auth, c.auth);
  if (auto plugins = top.table_array("plugins")) {
    for (auto& p : *plugins) c.plugins.push_back(read_plugin(p));
  }
  if (auto agents = top.table_array("agents")) {
    for (auto& a : *agents) c.agents.push_back(read_agent(a));
  }
  if (auto users = top.table_array("users")) {
    for (auto& u : *users) c.users.push_back(read_user(u));
  }
  if (auto webhooks = top.table_array("webhooks")) {
    for (auto& w : *webhooks) c.webhooks.push_back(read_webhook(w));
  }
  if (auto rules = top.table_array("retention")) {
    for (auto& r : *rules) c.retention.push_back(read_retention(r));
  }
  if (auto customers = top.table("customers")) read_customers(*customers, c);
  if (auto redaction = top.table("redaction")) read_redaction(*redaction, c);
  c.routing_policy_json = top.table_as_json("routing").value_or("");
  refuse_replaced_routing_keys(c.routing_policy_json);
  top.finish();
  check_references(c);

  c.data_dir = resolve(base_dir, c.data_dir);
  c.database_file = resolve(c.data_dir, c.database_file.empty() ? "omnigate.db" : c.database_file);
  if (c.plugin_dir.empty()) c.plugin_dir = default_plugin_dir();
  if (c.console_dir.empty()) c.console_dir = default_console_dir();
  for (auto& p : c.plugins) p.file = resolve(c.plugin_dir, p.file);
  if (!c.redaction.raw_key_file.empty())
    c.redaction.raw_key_file = resolve(base_dir, c.redaction.raw_key_file);
  return c;
}

GatewayConfig load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  const fs::path absolute = fs::absolute(path).lexically_normal();
  try {
    GatewayConfig c = load_config_from_string(text.str(), absolute.parent_path().string());
    c.source_path = absolute.string();
    return c;
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

}  // namespace omnigate::config
