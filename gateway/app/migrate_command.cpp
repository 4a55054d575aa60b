#include "app/cli.hpp"
#include "app/startup.hpp"

#include <iostream>

namespace omnigate::app {

int migrate_command(const Args& args) {
  try {
    const auto config = load_config_arg(args);
    auto store = open_store(config);  // opening applies pending migrations
    std::cout << "database " << config.database_file << " is at schema version "
              << store->schema_version() << std::endl;
    return kExitOk;
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace omnigate::app
