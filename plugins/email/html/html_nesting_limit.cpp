#include "html_nesting_limit.hpp"

#include "ascii_text.hpp"

#include <array>
#include <utility>
#include <vector>

namespace omnigate::email {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_name_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
}

template <std::size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::string_view n : names) {
    if (name == n) return true;
  }
  return false;
}

// Elements that never hold children, or that the parser closes when a sibling opens: they do
// not deepen the tree.
constexpr std::array<std::string_view, 31> kFlatElements = {
    "area", "base",  "br",    "col",    "embed",    "hr",       "img",    "input",
    "link", "meta",  "param", "source", "track",    "wbr",      "keygen", "image",
    "p",    "li",    "dt",    "dd",     "option",   "optgroup", "tr",     "td",
    "th",   "tbody", "thead", "tfoot",  "colgroup", "rt",       "rp",
};

// Formatting elements: the parser keeps them in its list of active formatting elements until
// their own end tag, whatever else closes, and re-opens them before text.
constexpr std::array<std::string_view, 14> kFormattingElements = {
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
};

// Their content is text up to their own end tag.
constexpr std::array<std::string_view, 9> kRawTextElements = {
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
};

// Past the tag that starts at html[begin] (the name ends at `name_end`): quoted attribute values
// may contain '>'.
std::size_t tag_end(std::string_view html, std::size_t name_end) {
  std::size_t i = name_end;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '>') return i + 1;
    if (c == '=') {
      ++i;
      while (i < html.size() && (html[i] == ' ' || html[i] == '\t' || html[i] == '\n')) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const std::size_t close = html.find(html[i], i + 1);
        if (close == std::string_view::npos) return html.size();
        i = close + 1;
      }
      continue;
    }
    ++i;
  }
  return html.size();
}

// Past the end tag "</name" of a raw-text element opened before `from` (case-insensitive).
std::size_t raw_text_end(std::string_view html, std::size_t from, std::string_view name) {
  for (std::size_t i = html.find("</", from); i != std::string_view::npos;
       i = html.find("</", i + 2)) {
    const std::size_t name_end = i + 2 + name.size();
    if (name_end <= html.size() && ascii_lower(html.substr(i + 2, name.size())) == name &&
        (name_end == html.size() || !is_name_char(html[name_end]))) {
      return i;
    }
  }
  return html.size();
}

}  // namespace

std::optional<std::string> limit_html_nesting(std::string_view html, int max_depth) {
  std::vector<std::string> open;  // the estimated stack of open (deepening) elements
  std::vector<std::pair<std::string, int>> formatting;  // open formatting elements by name
  int formatting_open = 0;
  std::vector<std::pair<std::size_t, std::size_t>> cuts;  // [begin, end) of removed start tags

  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    const std::string_view rest = html.substr(i);
    if (rest.starts_with("<!--")) {
      const std::size_t close = html.find("-->", i + 4);
      i = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?')) {
      const std::size_t close = html.find('>', i);
      i = close == std::string_view::npos ? html.size() : close + 1;
      continue;
    }
    const bool end_tag = rest.size() >= 2 && rest[1] == '/';
    const std::size_t name_begin = i + (end_tag ? 2 : 1);
    if (name_begin >= html.size() || !is_alpha(html[name_begin])) {
      ++i;
      continue;
    }
    std::size_t name_end = name_begin;
    while (name_end < html.size() && is_name_char(html[name_end])) ++name_end;
    const std::string name = ascii_lower(html.substr(name_begin, name_end - name_begin));
    const std::size_t end = tag_end(html, name_end);

    if (end_tag) {
      if (is_one_of(name, kFormattingElements)) {
        for (auto& [open_name, count] : formatting) {
          if (open_name == name && count > 0) {
            --count;
            --formatting_open;
            break;
          }
        }
      } else {
        for (std::size_t k = open.size(); k-- > 0;) {
          if (open[k] == name) {
            open.resize(k);
            break;
          }
        }
      }
      i = end;
      continue;
    }

    if (name == "plaintext") break;  // everything after it is text
    if (is_one_of(name, kRawTextElements)) {
      i = raw_text_end(html, end, name);
      continue;
    }
    if (is_one_of(name, kFlatElements)) {
      i = end;
      continue;
    }
    if (is_one_of(name, kFormattingElements)) {
      if (formatting_open >= max_depth) {
        cuts.emplace_back(i, end);
      } else {
        ++formatting_open;
        bool counted = false;
        for (auto& [open_name, count] : formatting) {
          if (open_name == name) {
            ++count;
            counted = true;
            break;
          }
        }
        if (!counted) formatting.emplace_back(name, 1);
      }
    } else if (static_cast<int>(open.size()) >= max_depth) {
      cuts.emplace_back(i, end);
    } else {
      open.push_back(name);
    }
    i = end;
  }

  if (cuts.empty()) return std::nullopt;
  std::string limited;
  limited.reserve(html.size());
  std::size_t copied = 0;
  for (const auto& [begin, end] : cuts) {
    limited.append(html.substr(copied, begin - copied));
    copied = end;
  }
  limited.append(html.substr(copied));
  return limited;
}

}  // namespace omnigate::email
