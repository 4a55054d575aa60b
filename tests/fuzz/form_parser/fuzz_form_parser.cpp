// Fuzzes the x-www-form-urlencoded parser with webhook bodies, and checks the property the SMS
// plugin relies on: whatever parses cleanly re-encodes to something that parses to the same
// fields.
#include <omnigate/common/form.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  omnigate::form::ParseResult parsed = omnigate::form::parse(body);
  if (parsed.malformed != !parsed.problem.empty()) std::abort();
  if (!parsed.malformed) {
    auto again = omnigate::form::parse(omnigate::form::encode(parsed.fields));
    if (again.malformed || again.fields != parsed.fields) std::abort();
  }
  return 0;
}
