#include "omnigate/utf8.hpp"

namespace omnigate::utf8 {
namespace {

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the run of ASCII bytes at the start of `bytes` (most customer text).
std::size_t ascii_prefix(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && static_cast<unsigned char>(bytes[i]) < 0x80) ++i;
  return i;
}

}  // namespace

Sequence next_sequence(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {1, true};
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {1, false};
  }
  for (std::size_t i = 1; i <= need; ++i) {
    const auto c = i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
    const bool ok = i == 1 ? c >= lo && c <= hi : continuation(c);
    if (!ok) return {i, false};
  }
  return {need + 1, true};
}

bool is_valid(std::string_view bytes) {
  std::size_t i = ascii_prefix(bytes);
  while (i < bytes.size()) {
    const auto seq = next_sequence(bytes.substr(i));
    if (!seq.valid) return false;
    i += seq.length;
  }
  return true;
}

std::string repaired(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto seq = next_sequence(bytes.substr(i));
    if (seq.valid) {
      out.append(bytes.substr(i, seq.length));
    } else {
      out += kReplacement;
    }
    i += seq.length;
  }
  return out;
}

bool repair(std::string& text) {
  if (is_valid(text)) return false;
  text = repaired(text);
  return true;
}

}  // namespace omnigate::utf8
