// Drawing a sample from the conversations a filter selected (pure: the same strategy, seed and
// conversations always give the same result; see draw_order.hpp).
#pragma once

#include "qa/sampling_strategy.hpp"
#include "store/qa_records.hpp"

#include <map>
#include <string>
#include <vector>

namespace omnigate::qa {

struct DrawnConversation {
  store::QaConversation conversation;
  std::string stratum;  // stratified samples: the conversation's value of `by`
};

struct DrawnSample {
  std::vector<DrawnConversation> items;  // in draw order
  // Stratified samples: strata that had fewer conversations than asked, and how many fewer.
  std::map<std::string, int> shortfalls;
};

// The stratum a conversation falls in for `by` (channel, tier, priority "1".."4", team).
std::string stratum_of(const store::QaConversation& c, const std::string& by);

// random_percent and per_agent sample agents' work, so they skip conversations nobody held;
// stratified and targeted take any conversation the filter selected.
DrawnSample draw_sample(const SamplingStrategy& strategy,
                        std::vector<store::QaConversation> candidates, std::int64_t seed);

}  // namespace omnigate::qa
