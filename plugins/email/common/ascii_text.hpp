// The small ASCII text helpers every part of the e-mail plugin needs (header names, MIME
// parameters, CSS properties, URL schemes and Authorization schemes are ASCII and
// case-insensitive), kept in one place instead of one copy per file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace omnigate::email {

inline bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// `text` without leading and trailing ASCII white space.
inline std::string_view trim_space(std::string_view text) {
  while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ascii_space(text.back())) text.remove_suffix(1);
  return text;
}

// A-Z lowered; every other byte (UTF-8 included) kept as it is.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Lower-case hexadecimal of `size` bytes.
inline std::string hex_lower(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace omnigate::email
