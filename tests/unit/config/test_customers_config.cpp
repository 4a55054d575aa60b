// [customers] default_region and merge_undo_hours, and an instance's own phone_region.
#include "config/config.hpp"
#include "config_error_of.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::config;
using omnigate::config::testing::error_of;

TEST_CASE("[customers] reads the phone region and the merge undo window") {
  const auto c = load_config_from_string(R"(
[customers]
default_region = "US"
merge_undo_hours = 48

[[plugins]]
instance = "sms-de"
file = "libog_sms.so"
phone_region = "DE"
)",
                                         "/etc/og");
  CHECK(c.customers.default_region == "US");
  CHECK(c.customers.merge_undo_hours == 48);
  REQUIRE(c.plugins.size() == 1);
  CHECK(c.plugins[0].phone_region == "DE");
}

TEST_CASE("without [customers] numbers are international only and merges undo for a day") {
  const auto c = load_config_from_string("", "/etc/og");
  CHECK(c.customers.default_region.empty());
  CHECK(c.customers.merge_undo_hours == 24);
}

TEST_CASE("a region libphonenumber does not know is refused naming the key") {
  for (const char* region : {"us", "USA", "ZZ", "XX"}) {
    INFO(region);
    const auto error = error_of(std::string("[customers]\ndefault_region = \"") + region + "\"\n");
    CHECK(error.find("customers.default_region: expected an ISO 3166 region") != std::string::npos);
  }
  CHECK(error_of("[customers]\nmerge_undo_hours = -1\n").find("customers.merge_undo_hours") !=
        std::string::npos);
  CHECK(error_of("[[plugins]]\ninstance = \"a\"\nfile = \"x.so\"\nphone_region = \"de\"\n")
            .find("phone_region: expected an ISO 3166 region") != std::string::npos);
}
