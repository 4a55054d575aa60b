#include "store/identity.hpp"

#include <algorithm>
#include <cctype>

namespace omnigate::store {
namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string normalise_phone(std::string_view raw) {
  const auto trimmed = trim(raw);
  std::string compact;
  for (char c : trimmed) {
    if (is_space(c) || c == '-' || c == '.' || c == '(' || c == ')') continue;
    compact.push_back(c);
  }
  if (compact.rfind("00", 0) == 0) compact.replace(0, 2, "+");
  const bool e164 = compact.size() >= 9 && compact.size() <= 16 && compact.front() == '+' &&
                    std::all_of(compact.begin() + 1, compact.end(), is_digit);
  return e164 ? compact : std::string(trimmed);
}

std::string normalise_email(std::string_view raw) {
  std::string out(trim(raw));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string normalise_address(std::string_view kind, std::string_view raw) {
  if (kind == "phone") return normalise_phone(raw);
  if (kind == "email") return normalise_email(raw);
  return std::string(trim(raw));
}

}  // namespace omnigate::store
