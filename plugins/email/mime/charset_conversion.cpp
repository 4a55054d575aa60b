#include "charset_conversion.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <string>
#include <utility>

namespace omnigate::email {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return g_ascii_tolower(x) == g_ascii_tolower(y);
         });
}

// iconv's ISO-2022-JP rejects the NEC and IBM extensions Japanese mail clients write; CP50221
// (Microsoft's ISO-2022-JP) has them where iconv knows it (glibc does not: ISO-2022-JP-2 then).
std::string_view iso_2022_jp_superset() {
  static const std::string_view name = [] {
    iconv_t cd = g_mime_iconv_open("UTF-8", "CP50221");
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::string_view("iso-2022-jp-2");
    g_mime_iconv_close(cd);
    return std::string_view("cp50221");
  }();
  return name;
}

bool is_us_ascii(std::string_view charset) {
  return iequals(charset, "us-ascii") || iequals(charset, "ascii") ||
         iequals(charset, "ansi_x3.4-1968") || iequals(charset, "us");
}

bool is_utf8(std::string_view charset) {
  return iequals(charset, "utf-8") || iequals(charset, "utf8") || iequals(charset, "x-utf-8");
}

void append_replacement(std::string& out) {
  out.append("\xEF\xBF\xBD");
}

// iconv from `charset` to UTF-8, an invalid or truncated sequence replaced and skipped one
// byte at a time. nullopt when iconv does not know the charset.
std::optional<Utf8Text> iconv_to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string name(charset);
  iconv_t cd = g_mime_iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // a cached descriptor may keep a shift state

  Utf8Text result;
  std::string& out = result.text;
  out.resize(bytes.size() + bytes.size() / 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t used = 0;
  bool flushing = false;
  for (;;) {
    char* out_ptr = out.data() + used;
    std::size_t out_left = out.size() - used;
    const std::size_t rc = flushing ? iconv(cd, nullptr, nullptr, &out_ptr, &out_left)
                                    : iconv(cd, &in, &in_left, &out_ptr, &out_left);
    const int error = errno;
    used = static_cast<std::size_t>(out_ptr - out.data());
    if (rc != static_cast<std::size_t>(-1)) {
      if (flushing) break;
      flushing = true;  // the input is consumed: let a stateful charset write what it holds
      continue;
    }
    if (error == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    // EILSEQ (invalid sequence) or EINVAL (truncated at the end): replace one byte and go on.
    if (in_left == 0) break;
    out.resize(used);
    append_replacement(out);
    used = out.size();
    out.resize(used + in_left + in_left / 2 + 16);
    ++in;
    --in_left;
    result.replaced = true;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out.resize(used);
  g_mime_iconv_close(cd);
  if (make_valid_utf8(out)) result.replaced = true;  // NUL bytes the charset mapped through
  return result;
}

Utf8Text undeclared_to_utf8(std::string_view bytes, GMimeParserOptions* options) {
  Utf8Text result;
  result.text.assign(bytes);
  if (g_utf8_validate_len(result.text.data(), result.text.size(), nullptr)) return result;
  char* decoded = g_mime_utils_decode_8bit(options, bytes.data(), bytes.size());
  result.text = decoded != nullptr ? decoded : "";
  g_free(decoded);
  result.replaced = make_valid_utf8(result.text);
  return result;
}

}  // namespace

std::string_view charset_superset(std::string_view declared) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 23> kSupersets{{
      {"gb2312", "gb18030"},
      {"gbk", "gb18030"},
      {"x-gbk", "gb18030"},
      {"cp936", "gb18030"},
      {"euc-cn", "gb18030"},
      {"x-euc-cn", "gb18030"},
      {"big5", "big5-hkscs"},
      {"x-x-big5", "big5-hkscs"},
      {"shift_jis", "cp932"},
      {"shift-jis", "cp932"},
      {"sjis", "cp932"},
      {"x-sjis", "cp932"},
      {"windows-31j", "cp932"},
      {"euc-kr", "cp949"},
      {"ks_c_5601-1987", "cp949"},
      {"ks_c_5601", "cp949"},
      {"iso-8859-1", "windows-1252"},
      {"iso8859-1", "windows-1252"},
      {"latin1", "windows-1252"},
      {"iso_8859-1", "windows-1252"},
      {"us-ascii", "windows-1252"},
      {"ascii", "windows-1252"},
      {"ansi_x3.4-1968", "windows-1252"},
  }};
  if (iequals(declared, "iso-2022-jp")) return iso_2022_jp_superset();
  for (const auto& [name, superset] : kSupersets)
    if (iequals(declared, name)) return superset;
  return declared;
}

std::optional<std::string> with_superset_charsets(std::string_view value) {
  std::optional<std::string> rewritten;
  std::size_t copied = 0;  // value[0, copied) is in *rewritten already
  for (std::size_t i = 0; i + 1 < value.size(); ++i) {
    std::size_t start;
    char terminator;
    if (value[i] == '=' && value[i + 1] == '?') {  // =?charset?B?...?= or =?charset*lang?...
      start = i + 2;
      terminator = '?';
    } else if (value[i] == '*' && value[i + 1] == '=') {  // name*=charset'lang'... (RFC 2231)
      start = i + 2;
      if (start < value.size() && value[start] == '"') ++start;
      terminator = '\'';
    } else {
      continue;
    }
    std::size_t end = start;
    while (end < value.size() && value[end] != terminator && value[end] != '*' &&
           value[end] != '?' && value[end] != '\'' && end - start < 40)
      ++end;
    if (end >= value.size() || end == start) continue;
    const std::string_view declared = value.substr(start, end - start);
    const std::string_view superset = charset_superset(declared);
    if (superset.data() == declared.data()) continue;
    if (!rewritten) rewritten.emplace().reserve(value.size() + 16);
    rewritten->append(value.substr(copied, start - copied));
    rewritten->append(superset);
    copied = end;
    i = end - 1;
  }
  if (rewritten) rewritten->append(value.substr(copied));
  return rewritten;
}

Utf8Text convert_to_utf8(std::string_view bytes, std::string_view declared,
                         GMimeParserOptions* options) {
  if (declared.empty()) return undeclared_to_utf8(bytes, options);
  if (is_utf8(declared)) {
    Utf8Text result;
    result.text.assign(bytes);
    result.replaced = make_valid_utf8(result.text);
    return result;
  }
  // A mailer that says us-ascii and writes 8-bit text mostly writes UTF-8; else windows-1252.
  if (is_us_ascii(declared) && g_utf8_validate_len(bytes.data(), bytes.size(), nullptr))
    return Utf8Text{std::string(bytes), false, false};
  if (auto converted = iconv_to_utf8(bytes, charset_superset(declared))) return *converted;
  Utf8Text result = undeclared_to_utf8(bytes, options);
  result.unknown_charset = true;
  return result;
}

bool make_valid_utf8(std::string& text) {
  if (g_utf8_validate_len(text.data(), text.size(), nullptr)) return false;
  char* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  text = valid;
  g_free(valid);
  return true;
}

}  // namespace omnigate::email
