// Where a conversation stands in the queue (private to the routing engine): its band from
// priority and customer tier, lowered by the ageing steps its wait has earned. A lower band is
// served first; within a band, the earlier SLA deadline, then the earlier arrival.
#pragma once

#include "omnigate/routing/policy.hpp"
#include "omnigate/routing/types.hpp"

namespace omnigate::routing {

// Priority first, then tier: P1 tier C still comes before P2 tier S.
int base_band(int priority, Tier tier);

// How many bands ageing may lift a conversation that starts at `base_band`: never past band 0
// (P1 tier S), never more than the policy's max_bands; none when ageing is off.
int max_promotions(const AgeingPolicy& ageing, int base_band);

// The ageing steps a wait from `arrived` to `now` has earned (capped by max_promotions).
int earned_promotions(const AgeingPolicy& ageing, int base_band, UnixMs arrived, UnixMs now);

}  // namespace omnigate::routing
