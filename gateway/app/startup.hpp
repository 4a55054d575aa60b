// The first steps every command that needs the config and the database shares.
#pragma once

#include "app/cli.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::app {

// Loads --config FILE. Throws config::ConfigError (no --config, or the file is invalid).
config::GatewayConfig load_config_arg(const Args& args);

// Creates the data directory and opens (creating and migrating) the SQLite database.
// Throws std::runtime_error naming the path and the reason.
std::unique_ptr<store::Store> open_store(const config::GatewayConfig& config);

}  // namespace omnigate::app
