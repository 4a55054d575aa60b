// `omnigate plugins conform FILE`: runs a plugin against the real host in child processes and
// reports one line per rule (PASS / FAIL / SKIP). The rules are stated in docs/plugin-guide.md
// ("Conformance kit"); this file only orchestrates them: the parent never loads the plugin, so
// a crash or hang of the plugin is a finding here, never the end of the kit.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace omnigate::conform {

struct ConformOptions {
  std::string plugin_file;
  std::string instance = "conform";  // routes mount at /channels/<instance>
  std::string config_json = "{}";    // the instance's config (a JSON object)
  int random_seconds = 3;            // how long the "random bytes" rule sends requests
  std::uint64_t seed = 0;            // of the random requests; 0 = a fresh one (printed)
  int send_timeout_ms = 5000;        // the host's send timeout during the "send" rule
};

// Runs every rule, printing the report to `out`. Returns the number of failed rules. Throws
// std::runtime_error when the kit itself cannot work (no temp dir, fork fails).
int run_conformance(const ConformOptions& options, std::ostream& out);

}  // namespace omnigate::conform
