#include "qa/sampling_strategy.hpp"

#include <cmath>
#include <stdexcept>

namespace omnigate::qa {
namespace {

using nlohmann::json;

// Counts large enough for any real sample, small enough that a typo cannot ask for millions.
constexpr int kMaxCount = 100000;

int count_field(const json& j, const char* field, int min) {
  if (!j.contains(field)) throw std::invalid_argument(std::string(field) + " is required");
  const auto& v = j.at(field);
  if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > kMaxCount)
    throw std::invalid_argument(std::string(field) + " must be an integer " + std::to_string(min) +
                                ".." + std::to_string(kMaxCount));
  return v.get<int>();
}

}  // namespace

const char* to_string(SamplingStrategy::Kind kind) {
  switch (kind) {
    case SamplingStrategy::Kind::random_percent:
      return "random_percent";
    case SamplingStrategy::Kind::per_agent:
      return "per_agent";
    case SamplingStrategy::Kind::stratified:
      return "stratified";
    case SamplingStrategy::Kind::targeted:
      return "targeted";
  }
  return "";
}

SamplingStrategy strategy_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("strategy must be an object");
  const std::string kind = j.value("kind", std::string());
  SamplingStrategy s;
  if (kind == "random_percent") {
    s.kind = SamplingStrategy::Kind::random_percent;
    const auto& p = j.value("percent", json());
    if (!p.is_number() || !std::isfinite(p.get<double>()) || p.get<double>() <= 0 ||
        p.get<double>() > 100)
      throw std::invalid_argument("percent must be a number in (0, 100]");
    s.percent = p.get<double>();
    s.min_per_agent = j.contains("min_per_agent") ? count_field(j, "min_per_agent", 0) : 0;
  } else if (kind == "per_agent") {
    s.kind = SamplingStrategy::Kind::per_agent;
    s.per_agent = count_field(j, "per_agent", 1);
  } else if (kind == "stratified") {
    s.kind = SamplingStrategy::Kind::stratified;
    s.stratify_by = j.value("by", std::string());
    if (s.stratify_by != "channel" && s.stratify_by != "tier" && s.stratify_by != "priority" &&
        s.stratify_by != "team")
      throw std::invalid_argument("by must be channel, tier, priority or team");
    const auto& strata = j.value("strata", json());
    if (!strata.is_object() || strata.empty())
      throw std::invalid_argument("strata must be an object of stratum → size");
    for (const auto& [value, size] : strata.items()) {
      if (!size.is_number_integer() || size.get<std::int64_t>() < 0 ||
          size.get<std::int64_t>() > kMaxCount)
        throw std::invalid_argument("strata." + value + " must be an integer 0.." +
                                    std::to_string(kMaxCount));
      s.strata[value] = size.get<int>();
    }
  } else if (kind == "targeted") {
    s.kind = SamplingStrategy::Kind::targeted;
    if (j.contains("limit")) s.limit = count_field(j, "limit", 1);
  } else {
    throw std::invalid_argument("kind must be random_percent, per_agent, stratified or targeted");
  }
  return s;
}

json to_json(const SamplingStrategy& s) {
  json j{{"kind", to_string(s.kind)}};
  switch (s.kind) {
    case SamplingStrategy::Kind::random_percent:
      j["percent"] = s.percent;
      j["min_per_agent"] = s.min_per_agent;
      break;
    case SamplingStrategy::Kind::per_agent:
      j["per_agent"] = s.per_agent;
      break;
    case SamplingStrategy::Kind::stratified:
      j["by"] = s.stratify_by;
      j["strata"] = s.strata;
      break;
    case SamplingStrategy::Kind::targeted:
      if (s.limit) j["limit"] = *s.limit;
      break;
  }
  return j;
}

}  // namespace omnigate::qa
