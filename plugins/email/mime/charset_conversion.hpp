// Charsets as mail really uses them: a declared charset is read as the superset its senders'
// software actually writes (a "gb2312" mail from a Windows client contains GBK characters, an
// "iso-8859-1" one contains windows-1252 quotes and euro signs, ...), and whatever is
// converted ends up as valid UTF-8, with what could not be read replaced by U+FFFD.
#pragma once

#include <gmime/gmime.h>

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::email {

// The charset to convert from when `declared` is declared: its superset, or `declared` itself.
std::string_view charset_superset(std::string_view declared);

// A header value with the charsets named in RFC 2047 encoded words (=?gb2312?B?...?=) and RFC
// 2231 parameters (filename*=gb2312''...) replaced by their supersets, so that GMime's decoding
// converts from the superset; nullopt when the value names no charset that has one.
std::optional<std::string> with_superset_charsets(std::string_view header_value);

struct Utf8Text {
  std::string text;              // valid UTF-8
  bool replaced = false;         // invalid sequences were replaced by U+FFFD
  bool unknown_charset = false;  // iconv does not know the charset: read as undeclared 8-bit text
};

// `bytes` in the charset `declared` (may be empty: undeclared) as UTF-8. Undeclared and
// us-ascii text that is not valid UTF-8 is read with the parser options' fallback charsets.
Utf8Text convert_to_utf8(std::string_view bytes, std::string_view declared,
                         GMimeParserOptions* options);

// Replaces invalid UTF-8 (and NUL bytes) by U+FFFD in place; true when it had to.
bool make_valid_utf8(std::string& text);

}  // namespace omnigate::email
