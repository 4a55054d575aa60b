// Seeding: at each start the config's users are upserted into the store (the config file stays
// the source of truth for them), and the config's agents that the store does not hold yet are
// added; an agent already stored is left as the admin API last changed it.
#pragma once

#include "config/config.hpp"
#include "store/store.hpp"

namespace omnigate::app {

// Waits until every upsert is committed. Throws std::runtime_error naming the first agent or
// user the store refused. Value: how many agents were new.
std::size_t seed_from_config(store::Store& store, const config::GatewayConfig& config);

}  // namespace omnigate::app
