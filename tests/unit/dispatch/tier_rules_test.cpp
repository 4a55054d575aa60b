// Tier rules on one customer: which rule matches, and what it may change (never lowering a tier
// a person set, never replacing an account a customer already has).
#include "dispatch/tier_rules.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;

namespace {

config::TierRule email_rule(std::string domain, store::Tier tier, std::string team = {}) {
  config::TierRule r;
  r.email_domain = std::move(domain);
  r.tier = tier;
  r.account_team = std::move(team);
  return r;
}

store::Customer customer_with(std::string kind, std::string address) {
  store::Customer c;
  c.id = 7;
  c.identities.emplace_back(std::move(kind), std::move(address));
  return c;
}

}  // namespace

TEST_CASE("an e-mail domain rule matches that domain only, not one ending in it", "[tier_rules]") {
  const std::vector rules = {email_rule("bigcorp.com", store::Tier::A, "key_accounts")};
  const auto update = dispatch::tier_rule_update(rules, customer_with("email", "kim@bigcorp.com"));
  REQUIRE(update);
  CHECK(update->customer_id == 7);
  CHECK(update->tier == store::Tier::A);
  CHECK(update->account_team == "key_accounts");
  CHECK(update->tier_source == store::TierSource::rule);
  CHECK_FALSE(dispatch::tier_rule_update(rules, customer_with("email", "kim@notbigcorp.com")));
  CHECK_FALSE(dispatch::tier_rule_update(rules, customer_with("phone", "+4930123456")));
}

TEST_CASE("the first matching rule wins", "[tier_rules]") {
  config::TierRule berlin;
  berlin.phone_prefix = "+4930";
  berlin.tier = store::Tier::B;
  const std::vector rules = {berlin, email_rule("bigcorp.com", store::Tier::S)};
  auto c = customer_with("phone", "+493012345678");
  c.identities.emplace_back("email", "x@bigcorp.com");
  CHECK(dispatch::first_matching_rule(rules, c) == &rules[0]);
  CHECK(dispatch::tier_rule_update(rules, c)->tier == store::Tier::B);
}

TEST_CASE("an attribute rule compares strings, numbers and booleans as written", "[tier_rules]") {
  config::TierRule plan;
  plan.attribute = "plan";
  plan.equals = "enterprise";
  plan.tier = store::Tier::A;
  config::TierRule seats;
  seats.attribute = "seats";
  seats.equals = "500";
  seats.tier = store::Tier::S;
  const std::vector rules = {plan, seats};
  store::Customer c;
  c.attributes_json = R"({"plan":"enterprise"})";
  CHECK(dispatch::tier_rule_update(rules, c)->tier == store::Tier::A);
  c.attributes_json = R"({"plan":"basic","seats":500})";
  CHECK(dispatch::tier_rule_update(rules, c)->tier == store::Tier::S);
  c.attributes_json = R"({"plan":"basic"})";
  CHECK_FALSE(dispatch::tier_rule_update(rules, c));
  c.attributes_json = "not json";
  CHECK_FALSE(dispatch::tier_rule_update(rules, c));
}

TEST_CASE("a rule never lowers a tier a person set, but may raise it", "[tier_rules]") {
  auto c = customer_with("email", "kim@bigcorp.com");
  c.tier = store::Tier::A;
  c.tier_source = store::TierSource::manual;
  CHECK_FALSE(dispatch::tier_rule_update({email_rule("bigcorp.com", store::Tier::B)}, c));
  CHECK(dispatch::tier_rule_update({email_rule("bigcorp.com", store::Tier::S)}, c)->tier ==
        store::Tier::S);
  // A tier only a rule set follows the rules both ways.
  c.tier_source = store::TierSource::rule;
  CHECK(dispatch::tier_rule_update({email_rule("bigcorp.com", store::Tier::B)}, c)->tier ==
        store::Tier::B);
}

TEST_CASE("a rule fills in an account team or manager only where there is none", "[tier_rules]") {
  auto rule = email_rule("bigcorp.com", store::Tier::A, "key_accounts");
  rule.account_manager = "kim";
  auto c = customer_with("email", "x@bigcorp.com");
  c.tier = store::Tier::A;
  c.account_team = "vip";
  const auto update = dispatch::tier_rule_update({rule}, c);
  REQUIRE(update);
  CHECK_FALSE(update->account_team);
  CHECK(update->account_manager == "kim");
  c.account_manager = "lee";
  CHECK_FALSE(dispatch::tier_rule_update({rule}, c));  // nothing left to change
}
