// The figures of one group of contacts, as the KPIs (GET /api/v1/kpis, docs/api.md "KPIs") and
// the QA reports (GET /api/v1/qa/reports, docs/qa.md "Reports") count them: one definition of
// answered, within SLA and resolved for both.
#pragma once

#include "store/model.hpp"

#include <omnigate/routing/policy.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>

namespace omnigate::api {

struct KpiTally {
  std::int64_t contacts = 0, answered = 0, abandoned = 0, within_sla = 0, resolved = 0;
  std::int64_t wait_total = 0, waits = 0;
  std::int64_t first_response_total = 0;

  // A contact whose first-response deadline routing never stored is measured against the
  // policy's deadline for its tier and priority from its creation.
  void add(const store::ContactRecord& r, const routing::Policy& policy);
  // contacts, answered, abandoned, abandon_rate, answered_within_sla, service_level, resolved,
  // resolution_rate, avg_wait_ms, avg_first_response_ms (rates and averages null without data).
  nlohmann::json figures() const;
};

// part / whole, or null when whole is 0.
nlohmann::json kpi_ratio(std::int64_t part, std::int64_t whole);
// total / n in whole units, or null when n is 0.
nlohmann::json kpi_average(std::int64_t total, std::int64_t n);

}  // namespace omnigate::api
