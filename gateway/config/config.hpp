// The gateway configuration (a TOML file; see docs/operations.md and config/demo.toml).
// load_config() validates everything: unknown keys and bad values are errors naming the key
// ("plugins[1].file: file not found").
#pragma once

#include "config/webhook_config.hpp"
#include "store/erasure_records.hpp"
#include "store/model.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::config {

struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;  // 431 above
  std::size_t max_body_bytes = 1024 * 1024;  // 413 above, for routes without a limit of their own
  std::size_t max_upload_bytes = 25 * 1024 * 1024;  // 413 above: a file an agent uploads
  int request_timeout_ms = 15000;                   // 408 when the request is not read in time
  int idle_timeout_ms = 60000;                      // keep-alive connections
  int max_connections = 10000;                      // 503 for new connections above this
  std::size_t max_ws_message_bytes = 64 * 1024;
  std::size_t max_ws_queued_messages = 1024;  // a slower client is closed with 1008
};

struct PluginInstanceConfig {
  std::string instance;  // unique name; routes mount at /channels/<instance>/...
  std::string file;      // shared library path (relative → plugin_dir)
  bool enabled = true;
  bool allow_private_fetch = false;  // lets http_fetch reach loopback/private addresses (tests)
  std::string config_json;           // the [plugins.config] table, as a JSON object
  // Operator's settings for the host, never shown to the plugin's config schema:
  // route path below the mount ("/inbound") → largest request body, clipped to the plugin's
  // own ceiling (og_route_options.max_body_bytes).
  std::map<std::string, std::uint64_t> body_limits;
  std::string public_base_url;  // overrides [server] public_base_url for this instance
  // The largest blob (streamed attachment, recording) the instance may write into the store.
  std::uint64_t max_blob_bytes = 100 * 1024 * 1024;
  // The largest answer one of the instance's http_fetch may bring (0 = the gateway's 4 MiB):
  // a voice instance that stores call recordings needs more.
  std::uint64_t max_fetch_bytes = 0;
  // Where the plugin runs (docs/adr/0006-plugin-isolation.md): in a supervised plugin-host
  // process, or in the gateway's own. Unset in the file: the plugins built with the gateway
  // (bundled_plugin_file) run in-process, every other file in a process.
  enum class Isolation { process, in_process };
  Isolation isolation =
      Isolation::in_process;  // what the config file sets explicitly or by default
  // Limits of the plugin-host process (isolation = "process"); 0 = none.
  std::uint64_t memory_limit_bytes = 1024ull * 1024 * 1024;
  std::uint64_t open_files_limit = 1024;
  // How the instance's senders' national-format numbers are read (an ISO 3166 region, e.g.
  // "DE" for a German number's channel); "" = [customers] default_region.
  std::string phone_region;
};

// True for the plugin files built and shipped with the gateway (plugins/*), named the way the
// demo config names them: they default to isolation = "in_process".
bool bundled_plugin_file(const std::string& file);

// [supervision]: how crashing plugins are handled (docs/operations.md "Plugin isolation").
struct SupervisionConfig {
  int quarantine_after = 3;      // crashes on the same input before it is quarantined
  int crash_loop_crashes = 5;    // this many crashes of an instance...
  int crash_loop_seconds = 60;   // ...within this window disable it
  int call_timeout_ms = 10000;   // a plugin-host process not answering a call by then is killed
  int restart_backoff_ms = 100;  // first restart delay, doubled per crash in a row...
  int max_restart_backoff_ms = 30000;  // ...up to this
};

struct UserConfig {
  std::string name;
  std::vector<store::Role> roles;  // `role = "qa"` or `roles = ["agent", "qa"]`
  std::string agent_id;            // empty when the user is not an agent
  std::string token_sha256;        // hex digest; or `token` in the file (hashed at load)
  std::string password_hash;       // argon2id; or `password` in the file (hashed at load)
};

// [auth]: logins, sessions and the lock-out (docs/operations.md "[auth]").
struct AuthConfig {
  int session_hours = 12;      // a login's session lasts this long
  bool secure_cookie = false;  // mark the session cookie Secure (the consoles are served by TLS)
  int lockout_failures = 5;    // failed logins in a row that lock a name…
  int lockout_minutes = 15;    // …for this long
  int address_failures = 20;   // failed logins from one client address (any names)…
  int address_window_minutes = 15;  // …within this window refuse its logins with 429
  // Take the client address for the audit log from X-Forwarded-For (the last hop's entry) —
  // only behind a proxy that sets it; otherwise anyone could write any address there.
  bool trust_forwarded_for = false;
};

// One [[customers.tier_rules]] entry: when its match holds for a customer, it sets the result
// fields it has. Rules are tried in file order; the first match wins (docs/routing.md).
struct TierRule {
  // The match: exactly one of email_domain, phone_prefix, or attribute (with equals).
  std::string email_domain;  // lower-case, no '@': matches an e-mail identity "...@<domain>"
  std::string phone_prefix;  // "+4930": matches a phone identity (E.164) starting with it
  std::string attribute;     // top-level key of the customer's attributes...
  std::string equals;        // ...whose value (a string, or a number/bool as written) equals this
  // The result: at least one.
  std::optional<store::Tier> tier;
  std::string account_team;
  std::string account_manager;  // an agent id
};

// [customers.valuation]: tiers recomputed from customer value (docs/service-processes.md
// "Tiers from customer value"). Each factor reads a numeric customer attribute and scores it
// 0..1 linearly up to `full_at` (a missing or non-numeric attribute scores 0); the weighted mean
// times 100 is the customer's score, and the tier is the best one whose threshold it reaches.
struct ValuationFactor {
  std::string attribute;  // top-level key of the customer's attributes
  int weight = 1;         // 1..1000, relative to the other factors
  double full_at = 1;     // the value that scores full points (> 0)
};
struct CustomerValuation {
  enum class Schedule { off, monthly, quarterly };
  Schedule schedule = Schedule::quarterly;    // a run at the first chance in each period (UTC)
  std::vector<ValuationFactor> factors;       // empty = valuation not configured
  int s_from = 85, a_from = 70, b_from = 40;  // score thresholds, S >= A >= B; below B: C
};

// [contact_logging]: every end of an agent's contact owes a contact log within `within_minutes`
// (the handbooks' "every interaction logged within 2 hours"); a reminder goes out
// `remind_before_minutes` before that. within_minutes = 0 turns the check off.
struct ContactLoggingConfig {
  int within_minutes = 120;
  int remind_before_minutes = 30;
};

// [csat]: a customer's SMS that is only a digit 1–5, within `sms_window_minutes` after their
// conversation was resolved, is its satisfaction rating and does not reopen it (docs/qa.md
// "CSAT"). 0 = no SMS is read as a rating.
struct CsatConfig {
  int sms_window_minutes = 1440;
};

// [service_cases]: after-sales cases' response target per stage (default 24 h each; a stage
// named in stage_target_hours has its own). Hours on the wall clock.
struct ServiceCasesConfig {
  int default_target_hours = 24;
  std::map<std::string, int> stage_target_hours;
};

struct OutboxConfig {
  int max_attempts = 8;
  int initial_backoff_ms = 1000;
  int max_backoff_ms = 5 * 60 * 1000;
  int send_timeout_ms = 30000;  // no send_result by then → retry
  int poll_interval_ms = 1000;
};

// [complaints]: the complaint ladder's windows, in minutes (docs/service-processes.md). A normal
// complaint's windows run on its tier's business calendar, a major one's on the wall clock.
struct ComplaintsConfig {
  int contact_window_minutes = 60;      // level 1: the account manager contacts the customer
  int director_window_minutes = 240;    // level 2: the service director commits to a fix
  int fix_due_minutes = 1440;           // level 2: the fix, at the latest, from level 2's start
  int executive_window_minutes = 1440;  // level 3: a responsible executive takes it
  int major_close_minutes = 1440;       // a major complaint closes within this of filing
};

// [customers]: one person, one record (docs/operations.md).
struct CustomersConfig {
  // ISO 3166 region whose national format a phone number without "+" is read in ("US":
  // "(415) 555-0100" is +14155550100); "" = only international formats are numbers.
  std::string default_region;
  int merge_undo_hours = 24;  // how long a merge of two customers can be undone
};

// [redaction]: PII masked before storage (docs/qa.md "Transcripts", docs/operations.md).
struct RedactionConfig {
  std::vector<std::string> patterns;  // ECMAScript regexes masked beside card numbers
  std::string raw_key_file;  // 64 hex digits sealing raw payloads ("" = raw redacted as text)
};

struct GatewayConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 = pick a free port (printed on start)
  std::string public_base_url;       // how providers reach us, e.g. https://gw.example.com
  std::string data_dir = "data";     // SQLite file + attachments live here
  std::string database_file;         // default: <data_dir>/omnigate.db
  std::string plugin_dir;            // default: <executable dir>/../plugins
  std::string web_dir;               // other static files, e.g. the web-chat demo page
                                     // (default: source gateway/web)
  std::string console_dir;           // the agents' console served at / (default:
                                     // <executable dir>/../share/omnigate/console)
  int worker_threads = 2;
  std::string log_level = "info";
  ServerLimits limits;
  OutboxConfig outbox;
  SupervisionConfig supervision;
  ComplaintsConfig complaints;
  std::vector<PluginInstanceConfig> plugins;
  std::vector<store::Agent> agents;  // seed: upserted at start
  std::vector<UserConfig> users;     // seed: upserted at start
  AuthConfig auth;                   // [auth]
  std::string routing_policy_json;   // the [routing] table as JSON, parsed by the routing bridge
  CustomersConfig customers;         // [customers] default_region, merge_undo_hours
  std::vector<TierRule> tier_rules;  // [[customers.tier_rules]]
  CustomerValuation valuation;       // [customers.valuation]
  ContactLoggingConfig contact_logging;         // [contact_logging]
  CsatConfig csat;                              // [csat]
  ServiceCasesConfig service_cases;             // [service_cases]
  std::vector<WebhookConfig> webhooks;          // [[webhooks]]
  std::vector<store::RetentionRule> retention;  // [[retention]]
  RedactionConfig redaction;                    // [redaction]
  std::string source_path;  // the file this came from (for relative paths, reload)
};

// Agent ids and user names: 1..64 letters, digits, '_', '-', '.', '@' (the config, the admin
// API and the CLI accept the same names).
bool is_person_name(std::string_view s);

// Throws ConfigError (what() names the file and the key) on any problem.
GatewayConfig load_config(const std::string& path);
// The same from TOML text (tests, fuzzing); relative paths resolve against `base_dir`.
GatewayConfig load_config_from_string(const std::string& text, const std::string& base_dir);

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace omnigate::config
