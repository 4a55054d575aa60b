// The first steps every command that needs the config and the database shares.
#pragma once

#include "app/cli.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>

namespace omnigate::app {

// Loads --config FILE. Throws config::ConfigError (no --config, or the file is invalid).
config::GatewayConfig load_config_arg(const Args& args);

// Creates the data directory and opens (creating and migrating) the SQLite database.
// Throws std::runtime_error naming the path and the reason.
std::unique_ptr<store::Store> open_store(const config::GatewayConfig& config);
// <data_dir>/attachments: the store's content-addressed files (plugins' blobs too).
std::string attachments_dir(const config::GatewayConfig& config);

// Loads the config, opens the store and runs `body`, returning its exit code; a
// config::ConfigError is reported and answers kExitUsage, any other exception kExitFailure.
int with_configured_store(
    const Args& args, const std::function<int(const config::GatewayConfig&, store::Store&)>& body);

}  // namespace omnigate::app
