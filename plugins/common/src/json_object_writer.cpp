#include "omnigate/common/json_object_writer.hpp"

#include <utility>

namespace omnigate::json_text {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629, table 3-7 of the
// Unicode standard: no overlongs, no surrogates, nothing above U+10FFFF), or 0 when it is not
// one; then `*bad` is the length of the maximal invalid subpart to replace (at least 1).
std::size_t sequence_length(std::string_view s, std::size_t* bad) {
  const auto b0 = static_cast<unsigned char>(s[0]);
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
    *bad = 1;
    return 0;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    const auto c = i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
    const bool ok = i == 1 ? c >= lo && c <= hi : continuation(c);
    if (!ok) {
      *bad = i;
      return 0;
    }
  }
  return need + 1;
}

}  // namespace

void append_string(std::string& out, std::string_view bytes) {
  out.reserve(out.size() + bytes.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < bytes.size()) {
    // Plain printable ASCII (most of every value) is copied as one run.
    std::size_t plain = i;
    while (plain < bytes.size()) {
      const auto p = static_cast<unsigned char>(bytes[plain]);
      if (p < 0x20 || p >= 0x80 || p == '"' || p == '\\') break;
      ++plain;
    }
    out.append(bytes.substr(i, plain - i));
    i = plain;
    if (i == bytes.size()) break;
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x80) {
      std::size_t bad = 0;
      if (const auto n = sequence_length(bytes.substr(i), &bad)) {
        out.append(bytes.substr(i, n));
        i += n;
      } else {
        out += kReplacement;
        i += bad;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {  // the other control characters (the plain run stopped at them)
        constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
    ++i;
  }
  out += '"';
}

void ObjectWriter::start_member(std::string_view name) {
  if (out_.size() > 1) out_ += ',';
  append_string(out_, name);
  out_ += ':';
}

ObjectWriter& ObjectWriter::add(std::string_view name, std::string_view value) {
  start_member(name);
  append_string(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::add(std::string_view name, std::uint64_t value) {
  start_member(name);
  out_ += std::to_string(value);
  return *this;
}

std::string ObjectWriter::finish() {
  out_ += '}';
  return std::move(out_);
}

}  // namespace omnigate::json_text
