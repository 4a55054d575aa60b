#include "http/http_types.hpp"
#include "http/url.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::http;

TEST_CASE("header() finds the first header case-insensitively") {
  Request r;
  r.headers = {
      {"Content-Type", "text/plain"}, {"X-Twilio-Signature", "abc"}, {"x-twilio-signature", "2nd"}};
  CHECK(r.header("content-type") == "text/plain");
  CHECK(r.header("X-TWILIO-SIGNATURE") == "abc");
  CHECK_FALSE(r.header("Authorization").has_value());
}

TEST_CASE("query_param() decodes percent escapes and plus signs") {
  Request r;
  r.query = "q=hello+world%21&empty=&flag&name%20x=a%2Fb";
  CHECK(r.query_param("q") == "hello world!");
  CHECK(r.query_param("empty") == "");
  CHECK(r.query_param("flag") == "");
  CHECK(r.query_param("name x") == "a/b");
  CHECK_FALSE(r.query_param("missing").has_value());
}

TEST_CASE("percent_decode keeps malformed escapes literally") {
  CHECK(percent_decode("%zz%4", false) == "%zz%4");
  CHECK(percent_decode("a+b%20c", false) == "a+b c");
  CHECK(percent_decode("a+b", true) == "a b");
}
