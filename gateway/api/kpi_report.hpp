// The contact-centre KPIs (GET /api/v1/kpis): per channel instance, how many contacts came in,
// how many were answered and how many abandoned, and how fast, from the store's record of the
// conversations created in a time window. docs/api.md "KPIs" defines each figure.
#pragma once

#include "store/model.hpp"

#include <omnigate/routing/policy.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace omnigate::api {

// {"from", "to", "by_channel": [...]} with one entry per channel instance, by name; with
// `by_attribute` (a customer attribute such as "industry", "size" or "stage") also
// "by_attribute": {"key", "groups": [...]} with one entry per value of it (null: customers
// without it). A contact whose first-response deadline routing never stored is measured against
// the policy's deadline for its tier and priority from its creation.
nlohmann::json kpi_report(const std::vector<store::ContactRecord>& contacts,
                          const routing::Policy& policy, store::UnixMs from, store::UnixMs to,
                          const std::string& by_attribute);

}  // namespace omnigate::api
