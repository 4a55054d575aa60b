#include "app/cli.hpp"
#include "app/startup.hpp"

#include <iostream>

namespace omnigate::app {

int migrate_command(const Args& args) {
  return with_configured_store(args, [](const config::GatewayConfig& config, store::Store& store) {
    std::cout << "database " << config.database_file << " is at schema version "
              << store.schema_version() << std::endl;
    return kExitOk;
  });
}

}  // namespace omnigate::app
