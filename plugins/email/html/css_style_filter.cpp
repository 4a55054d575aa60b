#include "css_style_filter.hpp"

#include "ascii_text.hpp"

#include <array>

namespace omnigate::email {

namespace {

constexpr std::array<std::string_view, 21> kAllowedPropertyPrefixes = {
    "font",       "text-",       "margin",         "padding",      "border",
    "background", "color",       "list-style",     "line-height",  "letter-spacing",
    "word-",      "white-space", "vertical-align", "width",        "height",
    "max-",       "min-",        "display",        "table-layout", "direction",
    "mso-",  // Outlook's own layout hints, inert elsewhere
};

constexpr std::array<std::string_view, 5> kExactProperties = {"float", "clear", "overflow",
                                                              "unicode-bidi", "caption-side"};

constexpr std::array<std::string_view, 5> kAllowedFunctions = {"rgb", "rgba", "hsl", "hsla",
                                                               "calc"};

// Strings that can load, run or hide something whatever the property.
constexpr std::array<std::string_view, 7> kForbiddenFragments = {
    "\\", "/*", "javascript:", "expression", "@import", "behavior", "-moz-binding",
};

bool is_allowed_property(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  for (std::string_view exact : kExactProperties) {
    if (name == exact) return true;
  }
  for (std::string_view prefix : kAllowedPropertyPrefixes) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// `value` is lower-cased.
bool is_safe_value(std::string_view value) {
  if (value.empty()) return false;
  for (std::string_view fragment : kForbiddenFragments) {
    if (value.find(fragment) != std::string_view::npos) return false;
  }
  int quotes = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '<' || c == '>' || c == '{' || c == '}') return false;
    if (c == '"' || c == '\'') ++quotes;
    if (c != '(') continue;
    std::size_t start = i;
    while (start > 0 && is_ident_char(value[start - 1])) --start;
    const std::string_view function = value.substr(start, i - start);
    bool allowed = false;
    for (std::string_view f : kAllowedFunctions) allowed = allowed || function == f;
    if (!allowed) return false;  // url(, image-set(, var( and whatever comes next
  }
  return quotes % 2 == 0;  // an unbalanced quote would swallow the declarations after it
}

}  // namespace

FilteredStyle filter_style(std::string_view style) {
  FilteredStyle result;
  while (!style.empty()) {
    const std::size_t semicolon = style.find(';');
    const std::string_view declaration = trim_space(style.substr(0, semicolon));
    style = semicolon == std::string_view::npos ? std::string_view{} : style.substr(semicolon + 1);
    if (declaration.empty()) continue;
    const std::size_t colon = declaration.find(':');
    if (colon == std::string_view::npos) {
      result.dropped_any = true;
      continue;
    }
    const std::string property = ascii_lower(trim_space(declaration.substr(0, colon)));
    const std::string_view value = trim_space(declaration.substr(colon + 1));
    if (!is_allowed_property(property) || !is_safe_value(ascii_lower(value))) {
      result.dropped_any = true;
      continue;
    }
    if (!result.style.empty()) result.style += "; ";
    result.style += property;
    result.style += ": ";
    result.style += value;
  }
  return result;
}

}  // namespace omnigate::email
