// [[customers.tier_rules]]: one match, at least one result, every mistake named by its key.
#include "config/config.hpp"
#include "config_error_of.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;
using namespace omnigate::config;
using omnigate::config::testing::error_of;

TEST_CASE("tier rules are read in file order with their match and result") {
  const auto c = load_config_from_string(R"(
[[customers.tier_rules]]
email_domain = "BigCorp.com"
tier = "A"
account_team = "key_accounts"

[[customers.tier_rules]]
phone_prefix = "+4930"
account_manager = "kim"

[[customers.tier_rules]]
attribute = "plan"
equals = "enterprise"
tier = "S"
)",
                                         "/etc/og");
  REQUIRE(c.tier_rules.size() == 3);
  CHECK(c.tier_rules[0].email_domain == "bigcorp.com");  // identities are stored lower-case
  CHECK(c.tier_rules[0].tier == store::Tier::A);
  CHECK(c.tier_rules[0].account_team == "key_accounts");
  CHECK(c.tier_rules[1].phone_prefix == "+4930");
  CHECK_FALSE(c.tier_rules[1].tier);
  CHECK(c.tier_rules[1].account_manager == "kim");
  CHECK(c.tier_rules[2].attribute == "plan");
  CHECK(c.tier_rules[2].equals == "enterprise");
}

TEST_CASE("tier rule mistakes name the key") {
  const std::string rule = "[[customers.tier_rules]]\n";
  CHECK(error_of(rule + "tier = \"A\"") ==
        "customers.tier_rules[0]: expected exactly one of email_domain, phone_prefix, attribute");
  CHECK(error_of(rule + "email_domain = \"a.com\"\nphone_prefix = \"+1\"\ntier = \"A\"") ==
        "customers.tier_rules[0]: expected exactly one of email_domain, phone_prefix, attribute");
  CHECK(error_of(rule + "email_domain = \"a.com\"") ==
        "customers.tier_rules[0]: expected tier, account_team or account_manager");
  CHECK(error_of(rule + "email_domain = \"@a.com\"\ntier = \"A\"") ==
        "customers.tier_rules[0].email_domain: expected a domain such as bigcorp.com");
  CHECK(error_of(rule + "phone_prefix = \"4930\"\ntier = \"A\"") ==
        "customers.tier_rules[0].phone_prefix: expected '+' and digits, e.g. \"+4930\"");
  CHECK(error_of(rule + "attribute = \"plan\"\ntier = \"A\"") ==
        "customers.tier_rules[0].equals: required");
  CHECK(error_of(rule + "email_domain = \"a.com\"\nequals = \"x\"\ntier = \"A\"") ==
        "customers.tier_rules[0].equals: needs attribute");
  CHECK(error_of(rule + "email_domain = \"a.com\"\ntier = \"D\"") ==
        "customers.tier_rules[0].tier: expected one of S, A, B, C");
  CHECK(error_of(rule + "email_domain = \"a.com\"\ntier = \"A\"\ntear = 1") ==
        "customers.tier_rules[0].tear: unknown key");
  CHECK(error_of("[customers]\nrules = 1") == "customers.rules: unknown key");
}
