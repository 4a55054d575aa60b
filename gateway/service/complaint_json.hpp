// A complaint as JSON: what the store keeps in complaints.record_json and what the API shows.
#pragma once

#include "service/complaint_ladder.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::service {

nlohmann::json complaint_to_json(const Complaint& c);
// Throws nlohmann::json::exception on a record this version did not write.
Complaint complaint_from_json(const nlohmann::json& j);

}  // namespace omnigate::service
