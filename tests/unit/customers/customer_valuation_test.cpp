// The value-based grading of one customer: the weighted score, the thresholds, who keeps their
// tier, the reason recorded with a change, and the schedule's periods; [customers.valuation].
#include "customers/customer_valuation.hpp"
#include "config/config.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace omnigate;
using Schedule = config::CustomerValuation::Schedule;

namespace {

// The handbook's four factors: purchase amount, purchase frequency, satisfaction, potential.
config::CustomerValuation handbook_valuation() {
  config::CustomerValuation v;
  v.factors = {{"purchase_amount", 40, 1'000'000},
               {"purchase_frequency", 25, 24},
               {"satisfaction", 20, 5},
               {"potential", 15, 10}};
  return v;
}

store::Customer customer(const std::string& attributes,
                         store::TierSource source = store::TierSource::initial,
                         store::Tier tier = store::Tier::C) {
  store::Customer c;
  c.id = 7;
  c.attributes_json = attributes;
  c.tier_source = source;
  c.tier = tier;
  return c;
}

store::UnixMs utc(int y, unsigned m, unsigned d, int hour = 0) {
  using namespace std::chrono;
  const sys_days day{year(y) / month(m) / d};
  return duration_cast<milliseconds>((day + hours(hour)).time_since_epoch()).count();
}

}  // namespace

TEST_CASE("the score is the weighted share of each factor's full value") {
  const auto v = customers::value_customer(
      handbook_valuation(),
      customer(R"({"purchase_amount": 500000, "purchase_frequency": 24, "satisfaction": 4,
                   "potential": "10"})"));
  // 40*0.5 + 25*1 + 20*0.8 + 15*1 = 76 of 100.
  CHECK(v.score == Approx(76.0));
  CHECK(v.tier == store::Tier::A);
  const auto reason = nlohmann::json::parse(v.reason_json);
  CHECK(reason["score"] == 76.0);
  REQUIRE(reason["factors"].size() == 4);
  CHECK(reason["factors"][0]["attribute"] == "purchase_amount");
  CHECK(reason["factors"][0]["points"] == 50.0);
  CHECK(reason["factors"][3]["value"] == 10.0);  // a numeric string counts as its number
  CHECK(reason["thresholds"]["A"] == 70);
}

TEST_CASE("values above full_at score full points, and missing or odd values score none") {
  const auto v = customers::value_customer(
      handbook_valuation(),
      customer(R"({"purchase_amount": 9e9, "purchase_frequency": "often", "satisfaction": -3})"));
  CHECK(v.score == Approx(40.0));  // purchase amount capped at 40; the rest 0
  CHECK(v.tier == store::Tier::B);
  const auto reason = nlohmann::json::parse(v.reason_json);
  CHECK(reason["factors"][1]["value"].is_null());
  CHECK(reason["factors"][3]["value"].is_null());
  // A customer nobody knows anything about starts at the lowest tier.
  CHECK(customers::value_customer(handbook_valuation(), customer("{}")).tier == store::Tier::C);
  CHECK(customers::value_customer(handbook_valuation(), customer("not json")).score == 0);
}

TEST_CASE("the thresholds decide the tier, each inclusive") {
  auto valuation = handbook_valuation();
  valuation.factors = {{"x", 1, 100}};
  const auto tier_at = [&](int x) {
    return customers::value_customer(valuation, customer(R"({"x": )" + std::to_string(x) + "}"))
        .tier;
  };
  CHECK(tier_at(85) == store::Tier::S);
  CHECK(tier_at(84) == store::Tier::A);
  CHECK(tier_at(70) == store::Tier::A);
  CHECK(tier_at(69) == store::Tier::B);
  CHECK(tier_at(40) == store::Tier::B);
  CHECK(tier_at(39) == store::Tier::C);
  valuation.s_from = 101;  // no S tier
  CHECK(tier_at(100) == store::Tier::A);
}

TEST_CASE("a valuation moves a tier up or down, but never one a person set") {
  const auto high = customers::value_customer(
      handbook_valuation(), customer(R"({"purchase_amount": 1e6, "purchase_frequency": 24,
                                         "satisfaction": 5, "potential": 10})"));
  REQUIRE(high.tier == store::Tier::S);
  const auto up = customers::valuation_update(customer("{}", store::TierSource::rule), high);
  REQUIRE(up);
  CHECK(up->tier == store::Tier::S);
  CHECK(up->tier_source == store::TierSource::valuation);
  CHECK(up->reason_json == high.reason_json);

  const auto low = customers::value_customer(handbook_valuation(), customer("{}"));
  const auto down = customers::valuation_update(
      customer("{}", store::TierSource::valuation, store::Tier::A), low);
  REQUIRE(down);
  CHECK(down->tier == store::Tier::C);

  CHECK_FALSE(
      customers::valuation_update(customer("{}", store::TierSource::manual, store::Tier::A), low));
  CHECK_FALSE(customers::valuation_update(
      customer("{}", store::TierSource::valuation, store::Tier::C), low));
}

TEST_CASE("a schedule's period starts on the first of its month or quarter, UTC") {
  CHECK(customers::period_start(Schedule::quarterly, utc(2026, 12, 2, 21)) == utc(2026, 10, 1));
  CHECK(customers::period_start(Schedule::quarterly, utc(2027, 1, 1)) == utc(2027, 1, 1));
  CHECK(customers::period_start(Schedule::quarterly, utc(2027, 3, 31, 23)) == utc(2027, 1, 1));
  CHECK(customers::period_start(Schedule::quarterly, utc(2027, 6, 30, 12)) == utc(2027, 4, 1));
  CHECK(customers::period_start(Schedule::monthly, utc(2027, 2, 28, 23)) == utc(2027, 2, 1));
  CHECK_FALSE(customers::period_start(Schedule::off, utc(2027, 2, 28)));
}

namespace {

std::string config_error(const std::string& text) {
  try {
    config::load_config_from_string(text, "/etc/og");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("[customers.valuation] is read with its factors, thresholds and schedule") {
  const auto c = config::load_config_from_string(R"(
[customers.valuation]
schedule = "monthly"
factors = [
  { attribute = "purchase_amount", weight = 40, full_at = 1000000 },
  { attribute = "satisfaction", weight = 20, full_at = 5 },
]
tier_from = { S = 90, A = 75, B = 50 }
)",
                                                 "/etc/og");
  CHECK(c.valuation.schedule == Schedule::monthly);
  REQUIRE(c.valuation.factors.size() == 2);
  CHECK(c.valuation.factors[0].attribute == "purchase_amount");
  CHECK(c.valuation.factors[0].weight == 40);
  CHECK(c.valuation.factors[0].full_at == 1'000'000);
  CHECK(c.valuation.s_from == 90);
  CHECK(c.valuation.b_from == 50);
  CHECK(config::load_config_from_string("", "/etc/og").valuation.factors.empty());
}

TEST_CASE("mistakes in [customers.valuation] are named by their key") {
  CHECK_THAT(config_error("[customers.valuation]\nschedule = \"weekly\"\n"
                          "factors = [{ attribute = \"a\" }]\n"),
             Catch::Contains("customers.valuation.schedule"));
  CHECK_THAT(config_error("[customers.valuation]\n"),
             Catch::Contains("customers.valuation.factors: expected at least one"));
  CHECK_THAT(config_error("[customers.valuation]\nfactors = [{ attribute = \"a\", weight = 0 }]\n"),
             Catch::Contains("weight"));
  CHECK_THAT(config_error("[customers.valuation]\nfactors = [{ attribute = \"a\" }]\n"
                          "tier_from = { S = 50, A = 60 }\n"),
             Catch::Contains("S >= A >= B"));
  CHECK_THAT(config_error("[customers.valuation]\nfactors = [{ attribute = \"a\", wieght = 2 }]\n"),
             Catch::Contains("unknown key"));
}
