#include "config/config.hpp"
#include "config_error_of.hpp"
#include "core/password_hash.hpp"
#include "core/sha256.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

using namespace omnigate;
using namespace omnigate::config;
using omnigate::config::testing::error_of;

namespace {

GatewayConfig load(const std::string& text) {
  return load_config_from_string(text, "/etc/og");
}

const char* kAgent = R"(
[[agents]]
id = "alice"
)";

}  // namespace

TEST_CASE("an empty file gives the documented defaults") {
  const auto c = load("");
  CHECK(c.listen_address == "127.0.0.1");
  CHECK(c.listen_port == 8080);
  CHECK(c.public_base_url.empty());  // unset: plugins see "" in host_info
  CHECK(c.worker_threads == 2);
  CHECK(c.log_level == "info");
  CHECK(c.data_dir == "/etc/og/data");
  CHECK(c.database_file == "/etc/og/data/omnigate.db");
  CHECK(c.limits.max_body_bytes == 1024 * 1024);
  CHECK(c.limits.max_upload_bytes == 25 * 1024 * 1024);
  CHECK(c.outbox.max_attempts == 8);
  CHECK(c.routing_policy_json.empty());
  CHECK_FALSE(c.plugin_dir.empty());
}

TEST_CASE("server, limits, storage, log and outbox keys are read") {
  const auto c = load(R"(
[server]
listen = "[::1]:0"
public_base_url = "https://gw.example.com"
worker_threads = 4
web_dir = "web"
plugin_dir = "/opt/og/plugins"
[server.limits]
max_header_bytes = 8192
max_body_bytes = 2048
max_upload_bytes = 4096
request_timeout_ms = 500
idle_timeout_ms = 1000
max_connections = 10
max_ws_message_bytes = 4096
max_ws_queued_messages = 16
[storage]
data_dir = "/var/lib/og"
database = "gw.db"
[log]
level = "debug"
[outbox]
max_attempts = 3
initial_backoff_ms = 10
max_backoff_ms = 100
send_timeout_ms = 1000
poll_interval_ms = 50
)");
  CHECK(c.listen_address == "::1");
  CHECK(c.listen_port == 0);
  CHECK(c.public_base_url == "https://gw.example.com");
  CHECK(c.worker_threads == 4);
  CHECK(c.web_dir == "/etc/og/web");
  CHECK(c.plugin_dir == "/opt/og/plugins");
  CHECK(c.limits.max_header_bytes == 8192);
  CHECK(c.limits.max_body_bytes == 2048);
  CHECK(c.limits.max_upload_bytes == 4096);
  CHECK(c.limits.request_timeout_ms == 500);
  CHECK(c.limits.idle_timeout_ms == 1000);
  CHECK(c.limits.max_connections == 10);
  CHECK(c.limits.max_ws_message_bytes == 4096);
  CHECK(c.limits.max_ws_queued_messages == 16);
  CHECK(c.data_dir == "/var/lib/og");
  CHECK(c.database_file == "/var/lib/og/gw.db");
  CHECK(c.log_level == "debug");
  CHECK(c.outbox.max_attempts == 3);
  CHECK(c.outbox.initial_backoff_ms == 10);
  CHECK(c.outbox.max_backoff_ms == 100);
  CHECK(c.outbox.send_timeout_ms == 1000);
  CHECK(c.outbox.poll_interval_ms == 50);
}

TEST_CASE("unknown keys are errors naming the full key path") {
  CHECK(error_of("[server]\nlisen = \"x\"") == "server.lisen: unknown key");
  CHECK(error_of("[server.limits]\nmax_bodies = 1") == "server.limits.max_bodies: unknown key");
  CHECK(error_of("[serv]") == "serv: unknown key");
  CHECK(error_of("[[plugins]]\ninstance = \"sms\"\nfle = \"x.so\"\nfile = \"x.so\"") ==
        "plugins[0].fle: unknown key");
  CHECK(error_of(std::string(kAgent) + "skils = {}") == "agents[0].skils: unknown key");
}

TEST_CASE("bad values name the key and what was expected") {
  CHECK(error_of("[server]\nlisten = \"localhost\"") == "server.listen: expected \"host:port\"");
  CHECK(error_of("[server]\nlisten = \"h:http\"") == "server.listen: expected \"host:port\"");
  CHECK(error_of("[server]\nlisten = \"h:70000\"") == "server.listen: port must be 0..65535");
  CHECK(error_of("[server]\nlisten = 8080") == "server.listen: expected a string");
  CHECK(error_of("[server]\nworker_threads = 0") ==
        "server.worker_threads: expected an integer 1..256");
  CHECK(error_of("[server]\nworker_threads = 2.5") ==
        "server.worker_threads: expected an integer 1..256");
  CHECK(error_of("[log]\nlevel = \"loud\"") ==
        "log.level: expected one of debug, info, warn, error");
  CHECK(error_of("server = 3") == "server: expected a table");
  CHECK(error_of("plugins = 3") == "plugins: expected an array of tables ([[plugins]])");
  CHECK(error_of("[outbox]\ninitial_backoff_ms = 100\nmax_backoff_ms = 10") ==
        "outbox.max_backoff_ms: must be >= initial_backoff_ms");
  CHECK(error_of("[[plugins]]\ninstance = \"sms\"\nfile = \"x.so\"\nenabled = \"yes\"") ==
        "plugins[0].enabled: expected true or false");
}

TEST_CASE("agents: skills 1..5, capacity 0..100, tiers and presence are checked") {
  CHECK(error_of("[[agents]]\nid = \"a\"\n[[agents]]\nid = \"b\"\ncapacity = { voice = 101 }") ==
        "agents[1].capacity.voice: expected an integer 0..100");
  CHECK(error_of(std::string(kAgent) + "skills = { sms = 6 }") ==
        "agents[0].skills.sms: expected an integer 1..5");
  CHECK(error_of(std::string(kAgent) + "tiers = [\"A\", \"Z\"]") ==
        "agents[0].tiers[1]: expected one of S, A, B, C");
  CHECK(error_of(std::string(kAgent) + "presence = \"gone\"") ==
        "agents[0].presence: expected one of online, busy, away, offline");
  CHECK(error_of("[[agents]]\ndisplay_name = \"x\"") == "agents[0].id: required");

  const auto c =
      load(std::string(kAgent) +
           "display_name = \"Alice\"\nteam = \"t\"\nskills = { sms = 3, billing = 2 }\n"
           "tiers = [\"S\", \"A\"]\ncapacity = { sms = 5, voice = 1 }\npresence = \"online\"");
  REQUIRE(c.agents.size() == 1);
  const auto& a = c.agents[0];
  CHECK(a.id == "alice");
  CHECK(a.display_name == "Alice");
  CHECK(a.team == "t");
  REQUIRE(a.skills.size() == 2);
  // TOML tables are unordered: skills come in key order.
  CHECK(a.skills[0].skill == "billing");
  CHECK(a.skills[0].level == 2);
  CHECK(a.skills[1].skill == "sms");
  CHECK(a.skills[1].level == 3);
  CHECK(a.tiers == std::vector<store::Tier>{store::Tier::S, store::Tier::A});
  CHECK(a.capacity.at("voice") == 1);
  CHECK(a.presence == store::Presence::online);
}

TEST_CASE("agents: contact is a table of strings, {} when absent") {
  CHECK(load(kAgent).agents.at(0).contact_json == "{}");
  const auto c =
      load(std::string(kAgent) + "contact = { client = \"alice\", phone = \"+441632960001\" }");
  CHECK(nlohmann::json::parse(c.agents.at(0).contact_json) ==
        nlohmann::json{{"client", "alice"}, {"phone", "+441632960001"}});
  CHECK(error_of(std::string(kAgent) + "contact = { phone = 44 }") ==
        "agents[0].contact.phone: expected a string");
  CHECK(error_of(std::string(kAgent) + "contact = { sip = \"" + std::string(300, 'x') + "\" }") ==
        "agents[0].contact.sip: at most 256 bytes");
  CHECK(error_of(std::string(kAgent) + "contact = \"+44\"") ==
        "agents[0].contact: expected a table");
}

TEST_CASE("duplicate agent ids, user names and plugin instances are errors") {
  CHECK(error_of("[[agents]]\nid = \"a\"\n[[agents]]\nid = \"a\"") ==
        "agents[1].id: duplicate agent id \"a\"");
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"qa\"\ntoken = \"12345678\"\n"
                 "[[users]]\nname = \"u\"\nrole = \"qa\"\ntoken = \"87654321\"") ==
        "users[1].name: duplicate user name \"u\"");
  CHECK(error_of("[[plugins]]\ninstance = \"p\"\nfile = \"a.so\"\n"
                 "[[plugins]]\ninstance = \"p\"\nfile = \"b.so\"") ==
        "plugins[1].instance: duplicate instance \"p\"");
}

TEST_CASE("users: roles, agent references and tokens are checked") {
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"root\"\ntoken = \"12345678\"") ==
        "users[0].role: expected one of agent, supervisor, qa, admin");
  CHECK(error_of(
            "[[users]]\nname = \"u\"\nrole = \"agent\"\nagent = \"ghost\"\ntoken = \"12345678\"") ==
        "users[0].agent: no agent with id \"ghost\"");
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"agent\"\ntoken = \"12345678\"") ==
        "users[0].agent: a user with role agent needs an agent id");
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"qa\"") ==
        "users[0]: expected token, token_sha256, password or password_hash");
  CHECK(
      error_of("[[users]]\nname = \"u\"\nrole = \"qa\"\nroles = [\"qa\"]\ntoken = \"12345678\"") ==
      "users[0].roles: give either role or roles, not both");
  CHECK(error_of("[[users]]\nname = \"u\"\nroles = [\"qa\", \"boss\"]\ntoken = \"12345678\"") ==
        "users[0].roles: expected one of agent, supervisor, qa, admin");
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"qa\"\npassword_hash = \"secret99\"") ==
        "users[0].password_hash: expected an argon2id hash ($argon2id$..., `omnigate users "
        "hash-password`)");
  CHECK(
      error_of(
          "[[users]]\nname = \"u\"\nrole = \"qa\"\ntoken = \"12345678\"\ntoken_sha256 = \"ab\"") ==
      "users[0].token: give either token or token_sha256, not both");
  CHECK(error_of("[[users]]\nname = \"u\"\nrole = \"qa\"\ntoken_sha256 = \"xyz\"") ==
        "users[0].token_sha256: expected 64 hex digits (a SHA-256 digest)");
}

TEST_CASE("a plain token is kept only as its SHA-256 digest") {
  const auto c = load(std::string(kAgent) +
                      "[[users]]\nname = \"alice\"\nrole = \"agent\"\nagent = \"alice\"\n"
                      "token = \"alice-demo-token\"\n"
                      "[[users]]\nname = \"q\"\nrole = \"qa\"\ntoken_sha256 = \"" +
                      std::string(64, 'A') + "\"");
  REQUIRE(c.users.size() == 2);
  CHECK(c.users[0].roles == std::vector<store::Role>{store::Role::agent});
  CHECK(c.users[0].agent_id == "alice");
  CHECK(c.users[0].token_sha256 == sha256_hex("alice-demo-token"));
  CHECK(c.users[1].token_sha256 == std::string(64, 'a'));  // normalised to lower case
}

TEST_CASE("users may hold several roles and a password, kept only as its argon2id hash") {
  const auto c = load(std::string(kAgent) +
                      "[[users]]\nname = \"sam\"\nroles = [\"qa\", \"agent\", \"qa\"]\n"
                      "agent = \"alice\"\npassword = \"correct horse\"\n"
                      "[auth]\nsession_hours = 2\nlockout_failures = 3\nlockout_minutes = 1\n"
                      "secure_cookie = true\ntrust_forwarded_for = true\n");
  REQUIRE(c.users.size() == 1);
  CHECK(c.users[0].roles == std::vector<store::Role>{store::Role::agent, store::Role::qa});
  CHECK(c.users[0].token_sha256.empty());
  CHECK(c.users[0].password_hash.rfind("$argon2id$", 0) == 0);
  CHECK(verify_password(c.users[0].password_hash, "correct horse"));
  CHECK(c.auth.session_hours == 2);
  CHECK(c.auth.lockout_failures == 3);
  CHECK(c.auth.lockout_minutes == 1);
  CHECK(c.auth.secure_cookie);
  CHECK(c.auth.trust_forwarded_for);
  CHECK(error_of("[auth]\nlockout_failures = 0") ==
        "auth.lockout_failures: expected an integer 1..100");
}

TEST_CASE("plugin files resolve against plugin_dir; config tables become JSON") {
  const auto c = load(R"(
[server]
plugin_dir = "plugins"
[[plugins]]
instance = "sms"
file = "libog_sms.so"
allow_private_fetch = true
[plugins.config]
account_sid = "AC1"
retries = 3
ratio = 0.5
skills = [{ skill = "sms", min_level = 1 }]
[[plugins]]
instance = "mail"
file = "/abs/libog_email.so"
enabled = false
[routing]
ageing = { every_minutes = 10 }
)");
  REQUIRE(c.plugins.size() == 2);
  CHECK(c.plugins[0].file == "/etc/og/plugins/libog_sms.so");
  CHECK(c.plugins[0].allow_private_fetch);
  CHECK(c.plugins[0].enabled);
  const auto cfg = nlohmann::json::parse(c.plugins[0].config_json);
  CHECK(cfg["account_sid"] == "AC1");
  CHECK(cfg["retries"] == 3);
  CHECK(cfg["ratio"] == 0.5);
  CHECK(cfg["skills"][0]["min_level"] == 1);
  CHECK(c.plugins[1].file == "/abs/libog_email.so");
  CHECK_FALSE(c.plugins[1].enabled);
  CHECK(c.plugins[1].config_json == "{}");
  CHECK(nlohmann::json::parse(c.routing_policy_json)["ageing"]["every_minutes"] == 10);
}

TEST_CASE("routing.sla.complaint_escalation is refused: the complaint ladder replaced it") {
  const auto error = error_of(R"(
[routing.sla]
complaint_escalation = ["1h", "4h", "24h"]
)");
  CHECK_THAT(error, Catch::StartsWith("routing.sla.complaint_escalation: no longer supported"));
  CHECK_THAT(error, Catch::Contains("[complaints]"));
  CHECK(error_of("[routing.sla]\nwarn_before = \"2m\"\n").empty());
}

TEST_CASE("${ENV} in string values is replaced; an unset variable names the key") {
  ::setenv("OG_TEST_SECRET", "s3cret", 1);
  ::unsetenv("OG_TEST_UNSET");
  const auto c = load(
      "[[plugins]]\ninstance = \"sms\"\nfile = \"x.so\"\n[plugins.config]\n"
      "auth_token = \"${OG_TEST_SECRET}\"\nurl = \"a-${OG_TEST_SECRET}-b\"");
  const auto cfg = nlohmann::json::parse(c.plugins[0].config_json);
  CHECK(cfg["auth_token"] == "s3cret");
  CHECK(cfg["url"] == "a-s3cret-b");
  CHECK(error_of("[[plugins]]\ninstance = \"sms\"\nfile = \"x.so\"\n[plugins.config]\n"
                 "auth_token = \"${OG_TEST_UNSET}\"") ==
        "plugins[0].config.auth_token: environment variable OG_TEST_UNSET is not set");
  CHECK(error_of("[storage]\ndata_dir = \"${OG_TEST_SECRET\"") ==
        "storage.data_dir: unterminated ${ in \"${OG_TEST_SECRET\"");
}

TEST_CASE("TOML syntax errors name the line") {
  CHECK(error_of("[server]\nlisten = ").rfind("line 2", 0) == 0);
}

TEST_CASE("load_config names the file and resolves paths against its directory") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("og_cfg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "gw.toml") << "[storage]\ndata_dir = \"data\"\n[log]\nlevel = \"x\"\n";
  try {
    load_config((dir / "gw.toml").string());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          (dir / "gw.toml").string() + ": log.level: expected one of debug, info, warn, error");
  }
  std::ofstream(dir / "gw.toml") << "[storage]\ndata_dir = \"data\"\n";
  const auto c = load_config((dir / "gw.toml").string());
  CHECK(c.data_dir == (dir / "data").string());
  CHECK(c.source_path == (dir / "gw.toml").string());
  CHECK_THROWS_AS(load_config((dir / "missing.toml").string()), ConfigError);
  fs::remove_all(dir);
}

TEST_CASE("config/demo.toml loads") {
  const auto c = load_config(OMNIGATE_SOURCE_DIR "/config/demo.toml");
  CHECK(c.listen_port == 8080);
  CHECK(c.data_dir == OMNIGATE_SOURCE_DIR "/data/demo");
  CHECK(c.console_dir == OMNIGATE_SOURCE_DIR "/web/console");  // `make run` serves the source
  REQUIRE(c.plugins.size() == 4);
  CHECK(c.plugins[0].instance == "sms");
  CHECK(c.plugins[1].instance == "email");
  CHECK(c.plugins[2].instance == "webchat");
  CHECK(c.plugins[3].instance == "voice");
  CHECK(c.agents.size() == 3);
  std::set<store::Role> roles;
  for (const auto& u : c.users) roles.insert(u.roles.begin(), u.roles.end());
  CHECK(roles.size() == 4);  // every role has a demo user
}

TEST_CASE("[csat] sms_window_minutes: 24 hours by default, 0 turns it off, at most 30 days") {
  CHECK(load("").csat.sms_window_minutes == 1440);
  CHECK(load("[csat]\nsms_window_minutes = 0").csat.sms_window_minutes == 0);
  CHECK(load("[csat]\nsms_window_minutes = 90").csat.sms_window_minutes == 90);
  CHECK(error_of("[csat]\nsms_window_minutes = 43201") ==
        "csat.sms_window_minutes: expected an integer 0..43200");
  CHECK(error_of("[csat]\nsms_window_minutes = -1") ==
        "csat.sms_window_minutes: expected an integer 0..43200");
  CHECK(error_of("[csat]\nemail_link = true") == "csat.email_link: unknown key");
}
