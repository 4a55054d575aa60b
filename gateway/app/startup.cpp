#include "app/startup.hpp"

#include <filesystem>

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
  options.attachments_dir = (fs::path(config.data_dir) / "attachments").string();
  return store::open_sqlite_store(options);
}

}  // namespace omnigate::app
