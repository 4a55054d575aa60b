// The DOM-free JSON writer the SMS plugin builds its per-message metadata with: checked against
// nlohmann's parser (the text must be valid JSON and read back to what was written).
#include "omnigate/common/json_object_writer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using omnigate::json_text::ObjectWriter;

namespace {

std::string written(std::string_view value) {
  return ObjectWriter().add("v", value).finish();
}

// What a JSON reader sees in the value written for `value`.
std::string read_back(std::string_view value) {
  return nlohmann::json::parse(written(value))["v"].get<std::string>();
}

}  // namespace

TEST_CASE("json writer: members in order, counts as numbers, an empty object") {
  CHECK(ObjectWriter().finish() == "{}");
  const auto text =
      ObjectWriter().add("AccountSid", "AC1").add("media_dropped", std::uint64_t{2}).finish();
  CHECK(text == R"({"AccountSid":"AC1","media_dropped":2})");
}

TEST_CASE("json writer: quotes, backslashes and control characters are escaped") {
  const std::string tricky = std::string("a\"b\\c\nd\te\x01\x1f") + '\0' + "f/\x7f";
  CHECK(read_back(tricky) == tricky);
  CHECK(written("\x01") == R"({"v":"\u0001"})");
}

TEST_CASE("json writer: valid UTF-8 is copied unchanged") {
  for (const char* text : {"S\xC3\xA3o Paulo", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
                           "\xEE\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    CHECK(read_back(text) == text);
  }
}

TEST_CASE("json writer: each maximal invalid UTF-8 subpart becomes one U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(read_back("S\xE3o Paulo") == "S" + r + "o Paulo");  // Latin-1 byte
  CHECK(read_back("\xC3") == r);                            // cut short at the end
  CHECK(read_back("\xE2\x82x") == r + "x");                 // cut short before a letter
  CHECK(read_back("\x80\xBF") == r + r);                    // stray continuation bytes
  CHECK(read_back("\xC0\xAF") == r + r);                    // overlong '/'
  CHECK(read_back("\xE0\x80\xAF") == r + r + r);            // overlong, 3 bytes
  CHECK(read_back("\xED\xA0\x80") == r + r + r);            // UTF-16 surrogate
  CHECK(read_back("\xF4\x90\x80\x80") == r + r + r + r);    // above U+10FFFF
  CHECK(read_back("\xF5\xFF") == r + r);                    // never valid lead bytes
}

TEST_CASE("json writer: names are escaped like values") {
  const auto text = ObjectWriter().add("a\"b", "x").finish();
  CHECK(nlohmann::json::parse(text)["a\"b"] == "x");
}
