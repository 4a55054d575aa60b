// [[retention]]: rules by channel and/or tier, each with delete_after_days.
#include "config/config.hpp"
#include "config_error_of.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::config;
using omnigate::config::testing::error_of;

TEST_CASE("[[retention]] reads each rule's channel, tier and days") {
  const auto c = load_config_from_string(R"(
[[retention]]
channel = "sms"
delete_after_days = 90

[[retention]]
tier = "S"
delete_after_days = 730
)",
                                         "/etc/og");
  REQUIRE(c.retention.size() == 2);
  CHECK(c.retention[0].channel == "sms");
  CHECK(c.retention[0].tier.empty());
  CHECK(c.retention[0].delete_after_days == 90);
  CHECK(c.retention[1].channel.empty());
  CHECK(c.retention[1].tier == "S");
  CHECK(c.retention[1].delete_after_days == 730);
  CHECK(load_config_from_string("", "/etc/og").retention.empty());
}

TEST_CASE("a retention rule without days, with a bad tier or an unknown key is refused") {
  CHECK(error_of("[[retention]]\nchannel = \"sms\"\n").find("retention") != std::string::npos);
  CHECK(error_of("[[retention]]\nchannel = \"sms\"\n").find("delete_after_days") !=
        std::string::npos);
  CHECK(error_of("[[retention]]\ndelete_after_days = 0\n").find("delete_after_days") !=
        std::string::npos);
  CHECK(error_of("[[retention]]\ntier = \"Z\"\ndelete_after_days = 9\n")
            .find("expected S, A, B or C") != std::string::npos);
  CHECK(error_of("[[retention]]\ndays = 9\ndelete_after_days = 9\n").find("days") !=
        std::string::npos);
}
