// Who a role of a customer's dedicated group is (docs/service-processes.md "Escalation reaches
// people"): the complaint ladder and P1/P2 escalations notify these people.
#pragma once

#include "service/complaint_ladder.hpp"
#include "store/store.hpp"

namespace omnigate::service {

// The customer's customer_contacts: a role's agent ("agent:<id>") or named person
// ("person:<name>"); for account_manager next the customer record's account_manager; else the
// bare role ("role:<role>"), so a notification to nobody in particular says so.
Resolver group_resolver(store::Store& store, store::Id customer_id);

}  // namespace omnigate::service
