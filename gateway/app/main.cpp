// omnigate — the omnichannel messaging gateway's command line.
#include "app/cli.hpp"

#include <iostream>
#include <stdexcept>
#include <string>

namespace {

using namespace omnigate::app;

const char* kUsage = R"(usage: omnigate <command> [options]

commands:
  serve --config FILE [--port N] [--port-file FILE]
                            run the gateway until SIGTERM/SIGINT (SIGHUP reloads [routing])
  migrate --config FILE     create or upgrade the database, then exit
  plugins list --config FILE
                            the configured plugin instances and what their files are
  plugins check FILE [--config FILE]
                            load a plugin file and print its name, version, channel and ABI,
                            and how its channel kind is routed
  plugins conform FILE [--config F] [--seconds N]
                            run the plugin against the real host in child processes and
                            report pass/fail per conformance rule
  plugins enable --config FILE INSTANCE
                            enable an instance the crash-loop guard disabled
  agents list --config FILE the agents in the database
  agents add|set|remove --config FILE ID [profile options]
                            create, change or remove an agent profile
  users add --config FILE NAME --role ROLE[,ROLE...] [--agent ID]
                            create a user and print their API token (once)
  users hash-password       read a password on stdin, print its argon2id hash (password_hash)
  users remove --config FILE NAME
                            remove a user; their token stops working
  customers show --config FILE ID
                            a customer's tier, account team/manager, attributes, identities
  customers set-tier --config FILE ID TIER [--account-team T] [--account-manager AGENT]
  customers revalue --config FILE
                            set a customer's tier (and account); their open conversations follow
  customers erase --config FILE ID --reason TEXT [--actor NAME]
                            remove every trace of a customer on request (not under legal hold)
  quarantine list --config FILE [--instance I] [--status S]
                            the inputs that crashed their plugin, newest first
  quarantine show --config FILE ID
                            one entry with its raw input
  quarantine release|drop --config FILE ID [--actor NAME]
                            offer a quarantined input to its plugin again, or give it up
  transcript verify ID|--all --db FILE
                            prove transcripts were not altered (the hash chain)
  transcript export ID... --db FILE [--format jsonl|text|html] [--out DIR]
                            transcripts as files for QA

Run `omnigate <command> --help` for a command's details. docs/operations.md has the rest.
)";

struct Command {
  const char* name;
  const char* sub;  // nullptr: no sub-command
  std::vector<std::string> options;
  const char* help;
  int (*run)(const Args&);
  std::vector<std::string> flags = {};  // options without a value
};

const Command kCommands[] = {
    {"serve",
     nullptr,
     {"config", "port", "port-file"},
     R"(usage: omnigate serve --config FILE [--port N] [--port-file FILE]

Opens (and migrates) the database, seeds the config's agents and users, loads the plugins,
and serves HTTP until SIGTERM or SIGINT, then stops gracefully. SIGHUP reloads the config's
[routing] table. Prints "listening on http://HOST:PORT" once it accepts connections.

  --config FILE     the TOML configuration (docs/operations.md)
  --port N          listen on this port instead of the config's (0 = any free port)
  --port-file FILE  write the bound port number to FILE once listening
)",
     serve_command},
    {"migrate",
     nullptr,
     {"config"},
     R"(usage: omnigate migrate --config FILE

Creates the database named by the config if needed and applies pending migrations.
)",
     migrate_command},
    {"plugins",
     "list",
     {"config"},
     R"(usage: omnigate plugins list --config FILE

Lists the configured plugin instances with their file and what the file contains.
)",
     plugins_list_command},
    {"plugins",
     "check",
     {"config"},
     R"(usage: omnigate plugins check FILE [--config FILE]

Loads FILE like the gateway would and prints its name, version, channel kind, ABI version and
config schema, then how conversations of its channel kind are routed: the capacity per agent
and where it comes from, the skills the channel requires (none), and whether they go back to
the queue when their agent goes offline. Exits non-zero with the reason if it cannot be used.

  --config FILE     describe the routing under this config's [routing] policy and agents
                    (default: the built-in policy, no agents)
)",
     plugins_check_command},
    {"plugins",
     "conform",
     {"config", "seconds", "seed"},
     R"(usage: omnigate plugins conform FILE [--config F] [--seconds N] [--seed N]

Runs the plugin in child processes against the real plugin host, SQLite store (in a temp dir)
and HTTP server (127.0.0.1, port 0) and prints one line per rule: PASS, FAIL (with the reason:
the input that crashed it, the request it hung on, the leak) or SKIP (with why it was not
checked). Exits 1 when a rule fails. The rules: docs/plugin-guide.md, "Conformance kit".

  --config F    the instance's config: a JSON object, or a gateway TOML file whose [[plugins]]
                entry for FILE is used (its instance name and [plugins.config]); default {}.
                http(s) URLs in it are pointed at 127.0.0.1 for the send and shutdown rules.
  --seconds N   how long to send random bytes to the routes (default 3)
  --seed N      the random requests' seed (printed by every run) to repeat a run
)",
     plugins_conform_command},
    {"plugins",
     "enable",
     {"config", "actor"},
     R"(usage: omnigate plugins enable --config FILE INSTANCE [--actor NAME]

Clears the disabled flag the crash-loop guard set on plugin instance INSTANCE (it crashed too
often in too short a time), with the reason "enabled by <actor>", audited as plugin.enable. A
running gateway notices and starts the instance again; POST
/api/v1/admin/plugins/{instance}/enable does the same through the API.

  --actor NAME  who enables it, for the audit log (default cli:$USER)
)",
     plugins_enable_command},
    {"agents",
     "list",
     {"config"},
     R"(usage: omnigate agents list --config FILE

Lists the agents stored in the database (serve adds the config's agents not stored yet).
)",
     agents_list_command},
    {"agents",
     "add",
     {"config", "display-name", "team", "skills", "tiers", "capacity"},
     R"(usage: omnigate agents add --config FILE ID [--display-name NAME] [--team TEAM]
                          [--skills SKILL:LEVEL,...] [--tiers S,A,...] [--capacity KIND:N,...]

Creates agent ID in the database (validated like POST /api/v1/admin/agents). Presence starts
offline. Skill levels are 1..5; tiers served are S, A, B, C (none = every tier); capacity keys
are channel kinds (any plugin's) and total (0..100), e.g. --capacity sms:5,voice:1,total:8.
A running gateway routes by the new profile after SIGHUP (the admin API applies it at once).
)",
     agents_add_command},
    {"agents",
     "set",
     {"config", "display-name", "team", "skills", "tiers", "capacity"},
     R"(usage: omnigate agents set --config FILE ID [--display-name NAME] [--team TEAM]
                          [--skills SKILL:LEVEL,...] [--tiers S,A,...] [--capacity KIND:N,...]

Changes agent ID: each option given replaces that part of the profile (--skills replaces all
skills), the rest stays. A running gateway routes by it after SIGHUP.
)",
     agents_set_command},
    {"agents",
     "remove",
     {"config"},
     R"(usage: omnigate agents remove --config FILE ID

Removes agent ID. Their open conversations are re-queued (event conversation.requeued). Refused
while a user logs in as this agent: remove the user first. A running gateway learns it on SIGHUP.
)",
     agents_remove_command},
    {"users",
     "add",
     {"config", "role", "agent"},
     R"(usage: omnigate users add --config FILE NAME --role ROLE[,ROLE...] [--agent ID]

Creates user NAME with one or more of the roles agent, supervisor, qa, admin (comma-separated)
and prints a new random API token ONCE; only its SHA-256 is stored. Role agent needs --agent
naming an existing agent. The token works at once, also on a running gateway.
)",
     users_add_command},
    {"users",
     "hash-password",
     {},
     R"(usage: omnigate users hash-password < FILE

Reads one line (the password, at least 8 characters) from standard input and prints its argon2id
hash, for `password_hash` of a [[users]] entry; the password itself goes nowhere.
)",
     users_hash_password_command},
    {"users",
     "remove",
     {"config"},
     R"(usage: omnigate users remove --config FILE NAME

Removes user NAME and their token (refused from then on, also by a running gateway).
)",
     users_remove_command},
    {"customers",
     "show",
     {"config"},
     R"(usage: omnigate customers show --config FILE ID

Prints customer ID as JSON (the shape of GET /api/v1/customers/{id}).
)",
     customers_show_command},
    {"customers",
     "set-tier",
     {"config", "account-team", "account-manager"},
     R"(usage: omnigate customers set-tier --config FILE ID TIER [--account-team TEAM]
                          [--account-manager AGENT]

Sets customer ID's tier (S, A, B, C) as a person's decision (tier rules never lower it) and,
optionally, their account team and named account manager ("" clears). Their open conversations
take the new tier with a customer.tier_changed event. A running gateway re-queues them by it
after SIGHUP (PATCH /api/v1/customers/{id} applies it at once).
)",
     customers_set_tier_command},
    {"customers",
     "revalue",
     {"config"},
     R"(usage: omnigate customers revalue --config FILE

Recomputes every customer's tier from their value now ([customers.valuation]: the weighted
score of the configured attributes), as the gateway does once per quarter. A tier a person set is
kept; every change is kept in the customer's tier history with its score and factors, and their
open conversations take it with a customer.tier_changed event. Prints the run as JSON. A running
gateway re-queues them by it after SIGHUP (POST /api/v1/admin/customers/valuation applies it
at once).
)",
     customers_revalue_command},
    {"customers",
     "erase",
     {"config", "reason", "actor"},
     R"(usage: omnigate customers erase --config FILE ID --reason TEXT [--actor NAME]

Erases customer ID on their request, as POST /api/v1/customers/{id}/erase does: their
identities, messages (text, raw payloads, search index rows), events, attachments and their
files, contact logs, cases, complaints and QA reviews go; the customer record and conversations
stay as empty shells whose transcript chain ends in a "transcript.erased" entry, so
`omnigate transcript verify` still passes. The database is then vacuumed and its WAL truncated
so no freed byte remains. Refused for a customer under legal hold. Audited as customer.erase
with the reason only. docs/operations.md "Erasure, legal hold and retention".

  --reason TEXT  why (the request's reference or legal basis; never the person's data)
  --actor NAME   who erases, for the audit log (default cli:$USER)
)",
     customers_erase_command},
    {"quarantine",
     "list",
     {"config", "instance", "status"},
     R"(usage: omnigate quarantine list --config FILE [--instance I] [--status S]

Lists the inputs (webhook requests, WebSocket frames, outbox rows) that were in a plugin when it
crashed, newest crash first: id, instance, input kind, status, crashes, last crash (UTC) and
its reason. Statuses: suspect (crashed fewer times than the quarantine threshold), quarantined
(refused until released), released, dropped.

  --instance I  only plugin instance I
  --status S    only entries in status S
)",
     quarantine_list_command},
    {"quarantine",
     "show",
     {"config"},
     R"(usage: omnigate quarantine show --config FILE ID

Prints every field of quarantine entry ID, then the raw input as captured (base64 when it is not
UTF-8) and, for a webhook request, its body decoded when it is text.
)",
     quarantine_show_command},
    {"quarantine",
     "release",
     {"config", "actor"},
     R"(usage: omnigate quarantine release --config FILE ID [--actor NAME]

Releases quarantined entry ID: an outbox row goes back to the sender at once (due now); a
webhook request or WebSocket frame is handed to its plugin again by the running gateway. Its
crash count starts over. Audited as quarantine.release. Only a quarantined entry can be released.

  --actor NAME  who releases it, for the audit log (default cli:$USER)
)",
     quarantine_release_command},
    {"quarantine",
     "drop",
     {"config", "actor"},
     R"(usage: omnigate quarantine drop --config FILE ID [--actor NAME]

Gives up entry ID (quarantined or suspect): it is never offered to the plugin again; an outbox
row's reply is marked failed ("dropped from quarantine by <actor>"). Audited as quarantine.drop.

  --actor NAME  who drops it, for the audit log (default cli:$USER)
)",
     quarantine_drop_command},
    {"transcript",
     "verify",
     {"db"},
     R"(usage: omnigate transcript verify ID|--all --db FILE

Recomputes the hash chain of conversation ID's transcript (or of every conversation) in database
FILE: each message and event's hash covers its content and the previous entry's hash. Prints
"ok" (exit 0), or names the first altered entry (exit 1). docs/qa.md "Transcripts".
)",
     transcript_verify_command,
     {"all"}},
    {"transcript",
     "export",
     {"db", "format", "out"},
     R"(usage: omnigate transcript export ID... --db FILE [--format jsonl|text|html] [--out DIR]

Exports the transcripts of the conversations ID... in database FILE: JSON Lines (default; the
conversation, then one message or event per line), plain text, or printable HTML. Without --out
on standard output; with it one file per conversation, DIR/conversation-ID.<jsonl|txt|html>, whose
paths are printed. The text is as stored: redacted.
)",
     transcript_export_command},
    {"plugin-host",
     nullptr,
     {"fd", "instance", "open-files"},
     R"(usage: omnigate plugin-host --fd N --instance NAME [--open-files N]

Internal: the process `omnigate serve` starts for a plugin instance with isolation = "process".
It loads the plugin and speaks the plugin ABI to it over the socket on file descriptor N.
)",
     plugin_host_command},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string name = argv[1];
  const std::string sub = argc > 2 ? argv[2] : "";
  bool known_name = false;
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    known_name = true;
    if (c.sub != nullptr && sub != c.sub) continue;
    try {
      const Args args = parse_args(argc, argv, c.sub ? 3 : 2, c.options, c.flags);
      if (args.help) {
        std::cout << c.help;
        return kExitOk;
      }
      return c.run(args);
    } catch (const std::invalid_argument& e) {
      print_error(e.what());
      std::cerr << c.help;
      return kExitUsage;
    }
  }
  if (known_name) {
    if (sub == "--help" || sub == "-h") {
      for (const Command& c : kCommands) {
        if (name == c.name) std::cout << c.help << '\n';
      }
      return kExitOk;
    }
    print_error("unknown sub-command \"" + name + " " + sub + "\"");
  } else {
    print_error("unknown command \"" + name + "\"");
  }
  std::cerr << kUsage;
  return kExitUsage;
}
