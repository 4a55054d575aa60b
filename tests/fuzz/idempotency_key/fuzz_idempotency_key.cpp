// The Idempotency-Key header is untrusted: for any bytes the check must either accept a key that
// is stored as given (1..255 printable ASCII) or refuse with an error naming the header.
#include "api/idempotency_key.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto parsed = omnigate::api::parse_idempotency_key(header);
  if (!parsed.value) {
    if (parsed.error.field != "Idempotency-Key") __builtin_trap();
    return 0;
  }
  const auto& key = *parsed.value;
  const bool printable =
      std::all_of(key.begin(), key.end(), [](char ch) { return ch >= ' ' && ch <= '~'; });
  if (key != header || key.empty() || key.size() > omnigate::api::kMaxIdempotencyKeyBytes ||
      !printable)
    __builtin_trap();
  return 0;
}
