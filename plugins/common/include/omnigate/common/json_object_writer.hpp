// Writes a flat JSON object (string and count members) straight into a string: the SMS plugin
// builds one for every inbound message, and a DOM (nlohmann::json) cost ~15k instructions of
// allocations and map nodes for ten short fields. The output is always valid JSON: bytes that
// are not UTF-8 (a carrier's Latin-1 city name) become U+FFFD instead of an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace omnigate::json_text {

// Appends `bytes` as a JSON string literal (quotes included): '"', '\\' and control characters
// escaped, valid UTF-8 copied as is, each maximal invalid subsequence replaced by U+FFFD (the
// Unicode standard's recommended practice, as browsers decode).
void append_string(std::string& out, std::string_view bytes);

class ObjectWriter {
 public:
  ObjectWriter& add(std::string_view name, std::string_view value);
  ObjectWriter& add(std::string_view name, std::uint64_t value);
  // The object's text; the writer is spent.
  std::string finish();

 private:
  void start_member(std::string_view name);
  std::string out_ = "{";
};

}  // namespace omnigate::json_text
