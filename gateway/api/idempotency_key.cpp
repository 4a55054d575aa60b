#include "api/idempotency_key.hpp"

#include <algorithm>

namespace omnigate::api {

Parsed<std::string> parse_idempotency_key(std::string_view header_value) {
  constexpr const char* kField = "Idempotency-Key";
  auto refuse = [&](std::string message) {
    return Parsed<std::string>{std::nullopt, {400, "invalid_field", std::move(message), kField}};
  };
  if (header_value.empty()) return refuse("Idempotency-Key must not be empty");
  if (header_value.size() > kMaxIdempotencyKeyBytes)
    return refuse("Idempotency-Key is longer than " + std::to_string(kMaxIdempotencyKeyBytes) +
                  " characters");
  const bool printable = std::all_of(header_value.begin(), header_value.end(),
                                     [](char ch) { return ch >= ' ' && ch <= '~'; });
  if (!printable) return refuse("Idempotency-Key must be printable ASCII (space to '~')");
  return {std::string(header_value), {}};
}

}  // namespace omnigate::api
