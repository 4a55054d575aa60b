#include "customers/customer_valuation.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace omnigate::customers {

using nlohmann::json;

namespace {

// A factor's value: numbers as they are, numeric strings as imports often write them ("1200.50");
// anything else is missing.
std::optional<double> numeric_attribute(const json& attributes, const std::string& key) {
  const auto it = attributes.find(key);
  if (it == attributes.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    std::size_t used = 0;
    try {
      const double v = std::stod(text, &used);
      if (used == text.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

}  // namespace

Valuation value_customer(const config::CustomerValuation& valuation,
                         const store::Customer& customer) {
  json attributes = json::parse(customer.attributes_json, nullptr, /*allow_exceptions=*/false);
  if (!attributes.is_object()) attributes = json::object();
  json factors = json::array();
  double weighted = 0;
  int weights = 0;
  for (const auto& f : valuation.factors) {
    const auto value = numeric_attribute(attributes, f.attribute);
    const double points = value ? std::clamp(*value / f.full_at, 0.0, 1.0) : 0.0;
    weighted += points * f.weight;
    weights += f.weight;
    factors.push_back({{"attribute", f.attribute},
                       {"value", value ? json(*value) : json(nullptr)},
                       {"points", std::round(points * 1000) / 10},
                       {"weight", f.weight}});
  }
  Valuation out;
  // Rounded to one decimal so the recorded reason and the threshold compare the same number.
  out.score = weights == 0 ? 0 : std::round(weighted / weights * 1000) / 10;
  out.tier = out.score >= valuation.s_from   ? store::Tier::S
             : out.score >= valuation.a_from ? store::Tier::A
             : out.score >= valuation.b_from ? store::Tier::B
                                             : store::Tier::C;
  out.reason_json =
      json{{"score", out.score},
           {"factors", std::move(factors)},
           {"thresholds",
            {{"S", valuation.s_from}, {"A", valuation.a_from}, {"B", valuation.b_from}}}}
          .dump();
  return out;
}

std::optional<store::CustomerUpdate> valuation_update(const store::Customer& customer,
                                                      const Valuation& valuation) {
  if (customer.tier_source == store::TierSource::manual || customer.tier == valuation.tier)
    return std::nullopt;
  store::CustomerUpdate u;
  u.customer_id = customer.id;
  u.tier = valuation.tier;
  u.tier_source = store::TierSource::valuation;
  u.reason_json = valuation.reason_json;
  return u;
}

std::optional<store::UnixMs> period_start(config::CustomerValuation::Schedule schedule,
                                          store::UnixMs now) {
  using namespace std::chrono;
  using Schedule = config::CustomerValuation::Schedule;
  if (schedule == Schedule::off) return std::nullopt;
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(now)))};
  unsigned first_month = static_cast<unsigned>(day.month());
  if (schedule == Schedule::quarterly) first_month = (first_month - 1) / 3 * 3 + 1;
  const sys_days start{day.year() / month(first_month) / 1};
  return duration_cast<milliseconds>(start.time_since_epoch()).count();
}

}  // namespace omnigate::customers
