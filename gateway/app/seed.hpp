// Seeding: the config's agents and users are upserted into the store at each start, so the
// config file stays the source of truth for them (agents created through the API are kept).
#pragma once

#include "config/config.hpp"
#include "store/store.hpp"

namespace omnigate::app {

// Waits until every upsert is committed. Throws std::runtime_error naming the first agent or
// user the store refused.
void seed_from_config(store::Store& store, const config::GatewayConfig& config);

}  // namespace omnigate::app
