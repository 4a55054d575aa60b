// routing-sim: a day of generated traffic through the real routing engine in seconds.
//   routing-sim [--agents N] [--skills N] [--peak ARRIVALS_PER_HOUR] [--hours H] [--seed N]
//               [--step-s N] [--policy FILE.json] [--compare FILE.json] [--per-agent]
// A policy file holds the JSON form of the gateway's [routing] table (docs/routing.md).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "report.hpp"
#include "simulation.hpp"
#include "traffic.hpp"

using namespace omnigate::routing;
using namespace routing_sim;

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(
      stderr,
      "routing-sim: %s\n"
      "usage: routing-sim [--agents N] [--skills N] [--peak ARRIVALS_PER_HOUR] [--hours H]\n"
      "                   [--seed N] [--step-s N] [--policy FILE.json] [--compare FILE.json]\n"
      "                   [--per-agent]\n",
      problem.c_str());
  std::exit(2);
}

Policy load_policy(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read policy file " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_policy_json(text.str());
  } catch (const PolicyError& e) {
    std::fprintf(stderr, "routing-sim: %s: %s\n", path.c_str(), e.what());
    std::exit(1);
  }
}

double number(const char* text, const char* option) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || v <= 0)
    usage(std::string(option) + " needs a positive number");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  TrafficShape shape;
  UnixMs step_ms = 5000;
  std::string policy_path, compare_path;
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
    else
      usage("unknown option " + opt);
  }
  const UnixMs day_start = 1795392000000LL;  // Monday 2026-11-23 00:00 UTC
  const Day day = generate_day(shape, day_start);
  std::printf(
      "routing-sim: %zu conversations, %d agents, %d skills, peak %.0f/h, %.0f h, seed %u\n",
      day.arrivals.size(), shape.agents, shape.skills, shape.peak_arrivals_per_hour, shape.hours,
      shape.seed);
  const Policy policy = policy_path.empty() ? Policy::defaults() : load_policy(policy_path);
  const SimResult first = simulate(day, policy, day_start, shape.hours, step_ms);
  // Columns are named by file name (without directory and .json), to keep the table narrow.
  const auto name_of = [](const std::string& path) {
    const auto base = path.substr(path.find_last_of('/') + 1);
    return base.substr(0, base.rfind(".json"));
  };
  std::vector<NamedResult> runs{{policy_path.empty() ? "defaults" : name_of(policy_path), &first}};
  SimResult second;
  if (!compare_path.empty()) {
    second = simulate(day, load_policy(compare_path), day_start, shape.hours, step_ms);
    runs.push_back({name_of(compare_path), &second});
  }
  print_report(stdout, runs, per_agent);
  return 0;
}
