// The command line of the benches' baseline servers (bench-ingest-baseline, bench-webchat-echo):
// --port N, --port-file FILE (written once listening, for the run scripts), --threads N.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace omnigate::bench {

struct BaselineServerOptions {
  unsigned short port = 0;
  std::string port_file;
  int threads = 2;  // the gateway's default worker_threads
};

// Exits with status 2 and the usage on a bad command line.
inline BaselineServerOptions parse_baseline_server_options(int argc, char** argv,
                                                           std::string_view program) {
  auto usage_error = [&](const std::string& message) {
    std::cerr << program << ": " << message << "\nusage: " << program
              << " [--port N] [--port-file FILE] [--threads N]\n";
    std::exit(2);
  };
  BaselineServerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage_error(std::string(arg) + ": expected a value");
    const std::string value = argv[++i];
    if (arg == "--port") {
      options.port = static_cast<unsigned short>(std::stoi(value));
    } else if (arg == "--port-file") {
      options.port_file = value;
    } else if (arg == "--threads") {
      options.threads = std::stoi(value);
      if (options.threads < 1) usage_error("--threads: expected at least 1");
    } else {
      usage_error(std::string(arg) + ": unknown option");
    }
  }
  return options;
}

}  // namespace omnigate::bench
