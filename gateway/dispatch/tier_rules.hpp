// Tier rules ([[customers.tier_rules]] in the config, docs/routing.md "Tier rules") applied to one
// customer: pure functions, used when ingest creates a conversation and when a customer's
// attributes change through the API.
#pragma once

#include "config/config.hpp"
#include "store/model.hpp"

#include <optional>
#include <vector>

namespace omnigate::dispatch {

// The first rule whose match holds for `customer`, or nullptr.
const config::TierRule* first_matching_rule(const std::vector<config::TierRule>& rules,
                                            const store::Customer& customer);

// What the first matching rule changes on `customer`, or nullopt when nothing. A rule's tier
// replaces a tier nobody or a rule set, and only raises a tier a person or the valuation set;
// its account team and manager fill in only where the customer has none.
std::optional<store::CustomerUpdate> tier_rule_update(const std::vector<config::TierRule>& rules,
                                                      const store::Customer& customer);

}  // namespace omnigate::dispatch
