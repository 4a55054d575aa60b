// The score a "first_response_sla" criterion starts with, from what was measured: the first
// response's time against the conversation's first-response deadline. The reviewer may change
// it; it only saves looking the times up.
//
// binary: 1 when answered by the deadline, else 0.
// 1–5, by how late against the time allowed (deadline − arrival): on time 5, late by at most a
// quarter of it 4, at most half 3, at most all of it 2, later (or never answered) 1.
#pragma once

#include "qa/scorecard.hpp"
#include "store/qa_records.hpp"

#include <optional>

namespace omnigate::qa {

// nullopt when the conversation has no first-response deadline (nothing to measure against).
std::optional<int> prefill_response_speed(Scale scale, const store::QaConversation& c);

}  // namespace omnigate::qa
