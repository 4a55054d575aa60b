#include "omnigate/common/json_object_writer.hpp"

#include "omnigate/utf8.hpp"

#include <utility>

namespace omnigate::json_text {

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
      const auto seq = utf8::next_sequence(bytes.substr(i));
      if (seq.valid) {
        out.append(bytes.substr(i, seq.length));
      } else {
        out += utf8::kReplacement;
      }
      i += seq.length;
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
