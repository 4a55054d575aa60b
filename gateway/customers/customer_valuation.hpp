// The value-based grading of one customer ([customers.valuation], DOMAIN.md "Customers": the
// tier is recomputed from purchase amount, purchase frequency, satisfaction and potential, and
// reviewed quarterly). Pure functions: the run over every customer is valuation_run.hpp.
#pragma once

#include "config/config.hpp"
#include "store/model.hpp"

#include <string>

namespace omnigate::customers {

struct Valuation {
  double score = 0;  // 0..100
  store::Tier tier = store::Tier::C;
  // Why: {"score": 72.5, "factors": [{"attribute", "value" (null when missing), "points",
  // "weight"}], "thresholds": {"S","A","B"}} — kept with the tier change it causes.
  std::string reason_json;
};

Valuation value_customer(const config::CustomerValuation& valuation,
                         const store::Customer& customer);

// What a valuation changes on the customer: a tier nobody, a rule or an earlier valuation set
// moves to the computed one, up or down; a tier a person set is kept (nullopt, as when the tier
// is already right).
std::optional<store::CustomerUpdate> valuation_update(const store::Customer& customer,
                                                      const Valuation& valuation);

// The start (Unix ms, UTC) of the schedule's period that contains `now`: the first day of the
// month or of the quarter (January, April, July, October) at 00:00 UTC. `off`: nullopt.
std::optional<store::UnixMs> period_start(config::CustomerValuation::Schedule schedule,
                                          store::UnixMs now);

}  // namespace omnigate::customers
