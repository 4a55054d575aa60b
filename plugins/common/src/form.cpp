#include <omnigate/common/form.hpp>

#include <algorithm>

namespace omnigate::form {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes into `out`; a bad escape is copied literally and makes the result false.
bool decode_into(std::string_view text, std::string& out) {
  bool ok = true;
  out.reserve(out.size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    // Everything up to the next '+' or '%' is copied as one run (most of a webhook's bytes).
    size_t special = i;
    while (special < text.size() && text[special] != '+' && text[special] != '%') ++special;
    out.append(text.data() + i, special - i);
    i = special;
    if (i == text.size()) break;
    if (text[i] == '+') {
      out.push_back(' ');
      ++i;
      continue;
    }
    int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      ok = false;
      out.push_back('%');
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return ok;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

ParseResult parse(std::string_view body) {
  ParseResult result;
  // One slot per field up front: growing the vector moved every decoded string (a Twilio
  // webhook has ~15 fields).
  result.fields.reserve(static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) + 1);
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view segment = body.substr(start, end - start);
    start = end + 1;
    if (segment.empty()) continue;
    size_t eq = segment.find('=');
    std::string_view raw_name = segment.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : segment.substr(eq + 1);
    std::string name, value;
    bool ok = decode_into(raw_name, name);
    ok = decode_into(raw_value, value) && ok;
    if (!ok && !result.malformed) {
      result.malformed = true;
      result.problem = "malformed percent-escape in field '" + name + "'";
    }
    result.fields.emplace_back(std::move(name), std::move(value));
  }
  return result;
}

std::optional<std::string> decode_component(std::string_view text) {
  std::string out;
  if (!decode_into(text, out)) return std::nullopt;
  return out;
}

std::string encode_component(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string encode(const Fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += encode_component(name);
    out.push_back('=');
    out += encode_component(value);
  }
  return out;
}

std::optional<std::string_view> find(const Fields& fields, std::string_view name) {
  for (const auto& [n, v] : fields)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

}  // namespace omnigate::form
