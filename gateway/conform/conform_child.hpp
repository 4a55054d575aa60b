// What runs inside the conformance kit's child processes: the real PluginHost with a real
// SQLite store (in the kit's temp dir) and, for the route rules, the real HTTP server on
// 127.0.0.1 port 0. Each function reports over `events` in tab-separated lines:
//   step <rule> <what>           about to do this (a crash from now on is blamed on it)
//   result <rule> <PASS|FAIL|SKIP> <detail>
//   plugin <name> <version> <channel kind> <abi>
//   route <method> <path> <websocket 0|1> <max_body_bytes> <respond_timeout_ms>
//   port <n> / ready / fatal <reason>
#pragma once

#include <cstdint>
#include <string>

namespace omnigate::conform {

struct ChildSettings {
  std::string plugin_file;
  std::string instance;     // the instance name (routes mount at /channels/<instance>)
  std::string config_json;  // the instance's config, a JSON object
  std::string data_dir;     // this child's own database and attachments
  int send_timeout_ms = 5000;
  std::uint16_t closed_port = 0;      // nothing listens here: connection refused
  std::uint16_t black_hole_port = 0;  // accepts connections, never answers
};

inline constexpr const char* kBogusConfigKey = "og_conform_bogus_key";

// load, lifecycle (create/start/stop/destroy twice), bad config.
int run_lifecycle_child(const ChildSettings& settings, int events);
// Serves the instance's routes until the command "stop" (or the commands pipe closes), then
// stops everything (rule "shutdown").
int run_serve_child(const ChildSettings& settings, int events, int commands);
// send to an unreachable provider; shutdown with a send (and its fetch) in flight.
int run_send_child(const ChildSettings& settings, int events);

// `config_json` with every string value that is an http(s) URL pointed at 127.0.0.1:`port`
// (path kept); `count` gets how many were.
std::string point_urls_at(const std::string& config_json, std::uint16_t port, int& count);

}  // namespace omnigate::conform
