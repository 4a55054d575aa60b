#include <omnigate/common/form.hpp>

#include <catch2/catch.hpp>

using omnigate::form::Fields;
namespace form = omnigate::form;

TEST_CASE("form: percent-escapes and '+' decode; fields keep their order") {
  auto r = form::parse("Body=Hello+world%21&From=%2B14155550100&To=%2b18005551212");
  CHECK_FALSE(r.malformed);
  CHECK(r.fields ==
        Fields{{"Body", "Hello world!"}, {"From", "+14155550100"}, {"To", "+18005551212"}});
}

TEST_CASE("form: repeated names stay repeated, in order") {
  auto r = form::parse("MediaUrl=a&x=1&MediaUrl=b");
  CHECK(r.fields == Fields{{"MediaUrl", "a"}, {"x", "1"}, {"MediaUrl", "b"}});
  CHECK(form::find(r.fields, "MediaUrl") == "a");
}

TEST_CASE("form: empty segments are skipped, a name without '=' has an empty value") {
  auto r = form::parse("&a=1&&flag&b=&");
  CHECK_FALSE(r.malformed);
  CHECK(r.fields == Fields{{"a", "1"}, {"flag", ""}, {"b", ""}});
  CHECK(form::parse("").fields.empty());
}

TEST_CASE("form: '=' inside a value belongs to the value") {
  CHECK(form::parse("q=a=b%3Dc").fields == Fields{{"q", "a=b=c"}});
}

TEST_CASE("form: malformed escapes are kept literally and flagged") {
  for (const char* body : {"Body=100%", "Body=100%2", "Body=%zz", "Body=%G1"}) {
    INFO(body);
    auto r = form::parse(body);
    CHECK(r.malformed);
    CHECK(r.problem.find("Body") != std::string::npos);
    REQUIRE(r.fields.size() == 1);
    CHECK(r.fields[0].second.starts_with(std::string_view(body).substr(5, 1)));
  }
  auto r = form::parse("From=%2B1415&Body=50%+off");
  CHECK(r.malformed);
  CHECK(r.fields == Fields{{"From", "+1415"}, {"Body", "50% off"}});
  CHECK_FALSE(form::decode_component("a%4"));
  CHECK(form::decode_component("a%41") == "aA");
}

TEST_CASE("form: decoding yields arbitrary bytes, including NUL and UTF-8") {
  auto r = form::parse("b=%00%C3%A9");
  REQUIRE(r.fields.size() == 1);
  CHECK(r.fields[0].second == std::string("\0\xC3\xA9", 3));
}

TEST_CASE("form: encode escapes everything but unreserved characters and round-trips") {
  CHECK(form::encode_component("a b+c&d=é~") == "a+b%2Bc%26d%3D%C3%A9~");
  Fields f{{"To", "+14155550100"}, {"Body", "50% off & more\n"}, {"Body", ""}};
  CHECK(form::encode(f) == "To=%2B14155550100&Body=50%25+off+%26+more%0A&Body=");
  CHECK(form::parse(form::encode(f)).fields == f);
}
