#include "http/response_validation.hpp"

#include <algorithm>

namespace omnigate::http {
namespace {

bool is_tchar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// field-value = *( VCHAR / obs-text / SP / HTAB ): every byte but the controls, HTAB allowed.
bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

bool is_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_tchar(static_cast<unsigned char>(c));
  });
}

}  // namespace

std::string printable(std::string_view text) {
  constexpr std::size_t max_bytes = 64;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string response_error(const Response& response) {
  const int status = response.status;
  if (status < 200 || status > 599) {
    return "status " + std::to_string(status) + " is not a final HTTP status (200..599)";
  }
  if ((status == 204 || status == 205 || status == 304) && !response.body.empty()) {
    return "a " + std::to_string(status) + " reply cannot have a body";
  }
  if (!is_field_value(response.content_type)) {
    return "content_type contains a control character (CR, LF, NUL, ...)";
  }
  for (const auto& [name, value] : response.headers) {
    if (!is_token(name)) return "header name \"" + printable(name) + "\" is not an HTTP token";
    if (!is_field_value(value)) {
      return "header " + name + ": value contains a control character (CR, LF, NUL, ...)";
    }
  }
  return {};
}

}  // namespace omnigate::http
