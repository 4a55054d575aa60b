// How a sample chooses among the conversations its filter selects (docs/qa.md "Strategies"),
// and its JSON form, which the sample records so that it can be drawn again.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace omnigate::qa {

struct SamplingStrategy {
  enum class Kind {
    random_percent,  // percent of each agent's conversations, at least min_per_agent
    per_agent,       // per_agent conversations of each agent
    stratified,      // strata[value] conversations whose `stratify_by` is value
    targeted,        // every conversation the filter's targets select (at most `limit`)
  };
  Kind kind = Kind::random_percent;
  double percent = 0;
  int min_per_agent = 0;
  int per_agent = 0;
  std::string stratify_by;  // channel, tier, priority or team
  std::map<std::string, int> strata;
  std::optional<int> limit;
};

const char* to_string(SamplingStrategy::Kind kind);

// Throws std::invalid_argument naming the field at fault.
SamplingStrategy strategy_from_json(const nlohmann::json& j);
nlohmann::json to_json(const SamplingStrategy& s);

}  // namespace omnigate::qa
