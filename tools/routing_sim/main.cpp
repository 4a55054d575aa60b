// routing-sim: a day of contact-centre traffic through the real routing engine in seconds,
// generated or replayed from a gateway database, under one policy or two side by side.
//   routing-sim [--agents N] [--skills N] [--peak ARRIVALS_PER_HOUR] [--hours H] [--seed N]
//               [--step-s N] [--policy FILE.json] [--compare FILE.json] [--per-agent]
//               [--add-agents N[:team[:tiers[:skills]]]]...
//   routing-sim --from-db FILE.sqlite [--from T] [--to T] [--policy ...] [--compare ...]
//               [--add-agents ...]... [--step-s N] [--per-agent]
// A policy file holds the JSON form of the gateway's [routing] table (docs/routing.md).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "history_db.hpp"
#include "report.hpp"
#include "roster_change.hpp"
#include "simulation.hpp"
#include "traffic.hpp"
#include "utc_time.hpp"

using namespace omnigate::routing;
using namespace routing_sim;

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(
      stderr,
      "routing-sim: %s\n"
      "usage: routing-sim [--agents N] [--skills N] [--peak ARRIVALS_PER_HOUR] [--hours H]\n"
      "                   [--seed N] [COMMON...]\n"
      "       routing-sim --from-db FILE.sqlite [--from TIME] [--to TIME] [COMMON...]\n"
      "COMMON: [--policy FILE.json] [--compare FILE.json] [--add-agents "
      "N[:team[:tiers[:skills]]]]\n"
      "        [--step-s N] [--per-agent]\n"
      "TIME: 2026-11-23, 2026-11-23T08:00[:00][Z] (UTC) or Unix milliseconds\n",
      problem.c_str());
  std::exit(2);
}

[[noreturn]] void fail(const std::string& problem) {
  std::fprintf(stderr, "routing-sim: %s\n", problem.c_str());
  std::exit(1);
}

Policy load_policy(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read policy file " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_policy_json(text.str());
  } catch (const PolicyError& e) {
    fail(path + ": " + e.what());
  }
}

double number(const char* text, const char* option) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || v <= 0)
    usage(std::string(option) + " needs a positive number");
  return v;
}

UnixMs instant(const char* text, const char* option) {
  const auto at = parse_utc_time(text);
  if (!at) usage(std::string(option) + " needs a UTC time like 2026-11-23T08:00, got " + text);
  return *at;
}

Day replay_day(const std::string& path, const ReplayWindow& window) {
  try {
    const HistoryFile file = read_history(path);
    Replay replay = replay_from_history(file.rows, window);
    const auto& s = replay.summary;
    std::printf("routing-sim: replay of %s (schema %d), %s to %s\n", path.c_str(),
                file.schema_version, format_utc_time(replay.day.start).c_str(),
                format_utc_time(replay.day.end).c_str());
    std::printf("  %d contacts (S %d, A %d, B %d, C %d), %zu agents\n", s.contacts, s.per_tier[0],
                s.per_tier[1], s.per_tier[2], s.per_tier[3], replay.day.agents.size());
    std::printf(
        "  as recorded: %d resolved, %d assigned and still open, %d abandoned, %d never assigned\n",
        s.resolved, s.open_at_end, s.abandoned, s.never_assigned);
    if (s.unroutable || s.unroutable_agents)
      std::printf("  left out as the gateway's engine refuses them: %d contact(s), %d agent(s)\n",
                  s.unroutable, s.unroutable_agents);
    if (s.agents_without_presence)
      std::printf("  %d agent(s) without recorded presence: online for the whole window\n",
                  s.agents_without_presence);
    return std::move(replay.day);
  } catch (const HistoryError& e) {
    fail(e.what());
  } catch (const std::invalid_argument& e) {
    usage(e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  TrafficShape shape;
  UnixMs step_ms = 5000;
  std::string policy_path, compare_path, db_path;
  ReplayWindow window;
  std::vector<AddAgents> additions;
  std::string generated_option;  // the last option that only a generated day takes
  bool per_agent = false;
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    if (opt == "--per-agent") {
      per_agent = true;
      continue;
    }
    if (opt == "--help" || opt == "-h") usage("help");
    if (i + 1 >= argc) usage(opt + " needs a value");
    const char* value = argv[++i];
    if (opt == "--agents" || opt == "--skills" || opt == "--peak" || opt == "--hours" ||
        opt == "--seed")
      generated_option = opt;
    if (opt == "--agents")
      shape.agents = static_cast<int>(number(value, "--agents"));
    else if (opt == "--skills")
      shape.skills = static_cast<int>(number(value, "--skills"));
    else if (opt == "--peak")
      shape.peak_arrivals_per_hour = number(value, "--peak");
    else if (opt == "--hours")
      shape.hours = number(value, "--hours");
    else if (opt == "--seed")
      shape.seed = static_cast<unsigned>(number(value, "--seed"));
    else if (opt == "--step-s")
      step_ms = static_cast<UnixMs>(number(value, "--step-s") * 1000);
    else if (opt == "--policy")
      policy_path = value;
    else if (opt == "--compare")
      compare_path = value;
    else if (opt == "--from-db")
      db_path = value;
    else if (opt == "--from")
      window.from = instant(value, "--from");
    else if (opt == "--to")
      window.to = instant(value, "--to");
    else if (opt == "--add-agents") {
      try {
        additions.push_back(parse_add_agents(value));
      } catch (const RosterChangeError& e) {
        usage(e.what());
      }
    } else
      usage("unknown option " + opt);
  }
  if (!db_path.empty() && !generated_option.empty())
    usage(generated_option +
          " shapes a generated day; a --from-db replay takes its day from the "
          "database");
  if (db_path.empty() && (window.from || window.to)) usage("--from and --to need --from-db");

  Day day;
  if (!db_path.empty()) {
    day = replay_day(db_path, window);
  } else {
    const UnixMs day_start = 1795392000000LL;  // Monday 2026-11-23 00:00 UTC
    day = generate_day(shape, day_start);
    std::printf(
        "routing-sim: %zu conversations, %d agents, %d skills, peak %.0f/h, %.0f h, seed %u\n",
        day.arrivals.size(), shape.agents, shape.skills, shape.peak_arrivals_per_hour, shape.hours,
        shape.seed);
  }
  const Policy policy = policy_path.empty() ? Policy::defaults() : load_policy(policy_path);
  const SimResult first = simulate(day, policy, step_ms);
  // Columns are named by file name (without directory and .json), to keep the table narrow.
  const auto name_of = [](const std::string& path) {
    const auto base = path.substr(path.find_last_of('/') + 1);
    return base.substr(0, base.rfind(".json"));
  };
  const std::string first_name = policy_path.empty() ? "defaults" : name_of(policy_path);
  std::vector<NamedResult> runs{{first_name, &first}};
  SimResult second;
  if (!compare_path.empty() || !additions.empty()) {
    // The what-if: the same traffic under the other policy and/or with the roster changed.
    Day what_if = day;
    std::string name = compare_path.empty() ? first_name : name_of(compare_path);
    try {
      for (const auto& change : additions) {
        add_agents(what_if, change);
        name += " " + describe(change);
      }
    } catch (const RosterChangeError& e) {
      usage(e.what());
    }
    second = simulate(what_if, compare_path.empty() ? policy : load_policy(compare_path), step_ms);
    runs.push_back({name, &second});
  }
  print_report(stdout, runs, per_agent);
  return 0;
}
