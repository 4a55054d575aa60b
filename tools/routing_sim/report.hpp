// The routing-sim report: SLA attainment per tier and priority, speed of answer, occupancy,
// abandoned and escalated counts; one column per policy when two runs are compared.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "simulation.hpp"

namespace routing_sim {

struct NamedResult {
  std::string policy_name;
  const SimResult* result;
};

void print_report(std::FILE* out, const std::vector<NamedResult>& runs, bool per_agent);

}  // namespace routing_sim
