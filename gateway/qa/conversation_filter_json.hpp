// The JSON form of the conversations a sample draws from (store::QaConversationFilter): what a
// client posts and what the sample records next to its strategy and seed.
//
//   {"from": ms, "to": ms, "agents": [...], "teams": [...], "channels": [...], "tiers": [...],
//    "targets": ["sla_breached", "escalated", "transferred"], "min_handle_ms": ms,
//    "keyword": "refund"}
#pragma once

#include "store/qa_records.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::qa {

// Throws std::invalid_argument naming the field at fault.
store::QaConversationFilter conversation_filter_from_json(const nlohmann::json& j);
nlohmann::json to_json(const store::QaConversationFilter& f);

}  // namespace omnigate::qa
