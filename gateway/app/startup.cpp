#include "app/startup.hpp"

#include "redaction/raw_seal.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace omnigate::app {

config::GatewayConfig load_config_arg(const Args& args) {
  const auto path = args.get("config");
  if (!path || path->empty()) throw config::ConfigError("--config FILE is required");
  return config::load_config(*path);
}

std::unique_ptr<store::Store> open_store(const config::GatewayConfig& config) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create data directory " + config.data_dir + ": " +
                             ec.message());
  }
  store::SqliteOptions options;
  options.path = config.database_file;
  options.attachments_dir = attachments_dir(config);
  options.phone_region = config.customers.default_region;
  options.redaction_patterns = config.redaction.patterns;
  options.csat_sms_window_ms = std::int64_t{config.csat.sms_window_minutes} * 60 * 1000;
  if (!config.redaction.raw_key_file.empty()) {
    std::ifstream in(config.redaction.raw_key_file);
    std::string hex;
    if (!(in >> hex)) throw std::runtime_error("cannot read " + config.redaction.raw_key_file);
    try {
      options.raw_key = redaction::raw_key_from_hex(hex);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(config.redaction.raw_key_file + ": " + e.what());
    }
  }
  return store::open_sqlite_store(options);
}

std::string attachments_dir(const config::GatewayConfig& config) {
  return (std::filesystem::path(config.data_dir) / "attachments").string();
}

int with_configured_store(
    const Args& args, const std::function<int(const config::GatewayConfig&, store::Store&)>& body) {
  try {
    const auto config = load_config_arg(args);
    auto store = open_store(config);  // opening applies pending migrations
    return body(config, *store);
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace omnigate::app
