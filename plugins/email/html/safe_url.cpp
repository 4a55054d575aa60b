#include "safe_url.hpp"

namespace omnigate::email {

namespace {

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// C0 controls and space, which the URL standard strips from both ends.
bool is_c0_or_space(char c) {
  return static_cast<unsigned char>(c) <= 0x20;
}

}  // namespace

std::string normalize_url(std::string_view value) {
  std::size_t begin = 0;
  std::size_t end = value.size();
  while (begin < end && is_c0_or_space(value[begin])) ++begin;
  while (end > begin && is_c0_or_space(value[end - 1])) --end;
  std::string url;
  url.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (c != '\t' && c != '\n' && c != '\r') url += c;
  }
  return url;
}

std::string url_scheme(std::string_view url) {
  if (url.empty() || !is_ascii_alpha(url[0])) return {};
  std::string scheme;
  for (char c : url) {
    if (c == ':') return scheme;
    if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '+' && c != '-' && c != '.') return {};
    scheme += to_lower_ascii(c);
  }
  return {};
}

bool is_allowed_link_scheme(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "tel";
}

}  // namespace omnigate::email
