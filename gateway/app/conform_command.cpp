// `omnigate plugins conform FILE [--config F] [--seconds N] [--seed N]`: the conformance kit
// (gateway/conform). --config is either the instance's config as a JSON object, or a gateway
// TOML file whose [[plugins]] entry for FILE gives the instance name and its [plugins.config].
#include "app/cli.hpp"
#include "config/config.hpp"
#include "conform/conform_kit.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace omnigate::app {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config::ConfigError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fills the instance name and config from --config (see above).
void apply_config_file(const std::string& path, conform::ConformOptions& options) {
  const std::string text = read_file(path);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    options.config_json = text;
    return;
  }
  const auto gateway = config::load_config(path);
  const auto wanted = fs::path(options.plugin_file).filename();
  const config::PluginInstanceConfig* match = nullptr;
  for (const auto& p : gateway.plugins) {
    if (fs::path(p.file).filename() == wanted) {
      if (match != nullptr)
        throw config::ConfigError(path + ": more than one [[plugins]] entry uses " +
                                  wanted.string() + ": pass the instance's config as JSON");
      match = &p;
    }
  }
  if (match == nullptr && gateway.plugins.size() == 1) match = &gateway.plugins.front();
  if (match == nullptr)
    throw config::ConfigError(path + ": no [[plugins]] entry with file " + wanted.string());
  options.instance = match->instance;
  options.config_json = match->config_json.empty() ? "{}" : match->config_json;
}

int parse_count(const std::string& option, const std::string& value, long max) {
  std::size_t used = 0;
  long n = -1;
  try {
    n = std::stol(value, &used);
  } catch (const std::logic_error&) {
  }
  if (used != value.size() || n < 1 || n > max)
    throw std::invalid_argument("--" + option + ": expected a number 1.." + std::to_string(max));
  return static_cast<int>(n);
}

}  // namespace

int plugins_conform_command(const Args& args) {
  if (args.positional.size() != 1) {
    print_error("plugins conform needs exactly one FILE");
    return kExitUsage;
  }
  conform::ConformOptions options;
  options.plugin_file = args.positional[0];
  try {
    if (auto path = args.get("config")) apply_config_file(*path, options);
    if (auto seconds = args.get("seconds"))
      options.random_seconds = parse_count("seconds", *seconds, 3600);
    if (auto seed = args.get("seed")) options.seed = std::stoull(*seed);
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::logic_error& e) {
    print_error(e.what());
    return kExitUsage;
  }
  try {
    return conform::run_conformance(options, std::cout) == 0 ? kExitOk : kExitFailure;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace omnigate::app
