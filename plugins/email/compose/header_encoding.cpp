#include "header_encoding.hpp"

#include <glib.h>

#include <algorithm>

namespace omnigate::email {

namespace {

constexpr std::size_t kMaxLine = 78;         // RFC 5322 2.1.1: SHOULD be no more than 78
constexpr std::size_t kMaxEncodedWord = 75;  // RFC 2047 2
constexpr std::string_view kWordStart = "=?UTF-8?B?";
constexpr std::string_view kWordEnd = "?=";
// A plain word longer than this could not share a line with the header name.
constexpr std::size_t kMaxPlainWord = 60;

bool is_plain_text(std::string_view text) {
  if (text.find("=?") != std::string_view::npos) return false;
  std::size_t word = 0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) return false;
    word = c == ' ' ? 0 : word + 1;
    if (word > kMaxPlainWord) return false;
  }
  return true;
}

// Characters of an RFC 5322 atom, and the space between atoms: a display name made of them
// needs neither quoting nor encoding.
bool is_plain_phrase(std::string_view name) {
  if (!is_plain_text(name) || name.front() == ' ' || name.back() == ' ' ||
      name.find("  ") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    const bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view(" !#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
    if (!atext) return false;
  }
  return true;
}

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Lays out tokens on folded lines. Between two tokens goes one space: either on the line or as
// the start of the next one.
class FoldedValue {
 public:
  explicit FoldedValue(std::string_view header_name) : line_(header_name.size() + 1) {}

  // Room left on the current line for a token after a separating space.
  std::size_t room() const { return line_ + 1 >= kMaxLine ? 0 : kMaxLine - line_ - 1; }

  void add(std::string_view token) {
    // An empty token (from two spaces in a row) never starts a line: that line would be blank.
    if (started_ && !token.empty() && line_ + 1 + token.size() > kMaxLine) {
      raw_ += "\n ";
      line_ = 1;
    } else {
      raw_ += ' ';
      ++line_;
    }
    raw_ += token;
    line_ += token.size();
    started_ = true;
  }

  // Starts a new line for the next token even if this one had room (a header name too long to
  // leave room for any encoded word).
  void break_line() {
    raw_ += "\n";
    line_ = 0;
    started_ = false;
  }

  std::string finish() && {
    if (!started_) raw_ += ' ';
    raw_ += '\n';
    return std::move(raw_);
  }

 private:
  std::string raw_;
  std::size_t line_;
  bool started_ = false;
};

std::size_t char_length(std::string_view utf8, std::size_t at) {
  return std::min(utf8_sequence_length(static_cast<unsigned char>(utf8[at])), utf8.size() - at);
}

// RFC 2047 Q form of one byte, safe in unstructured text and in a display name alike.
std::string q_encoded(unsigned char byte) {
  if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
      (byte >= '0' && byte <= '9')) {
    return std::string(1, static_cast<char>(byte));
  }
  if (byte == ' ') return "_";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {'=', kHex[byte >> 4], kHex[byte & 0xF]};
}

// `utf8` as encoded words, each holding whole characters (RFC 2047 5) and as many as fit on
// the line it lands on. Base64 words carry a multiple of 3 bytes, except the last: GMime
// (Evolution, notmuch, our own reader) decodes adjacent base64 words as one stream, and '='
// padding in the middle would end it there. Where the characters do not allow a multiple of 3
// (a Latin letter before Chinese text), that word is written in the Q form instead.
void add_encoded(FoldedValue& value, std::string_view utf8) {
  constexpr std::size_t kOverhead = kWordStart.size() + kWordEnd.size();
  constexpr std::size_t kLongestQChar = 12;  // a 4-byte character as =XX=XX=XX=XX
  std::size_t at = 0;
  while (at < utf8.size()) {
    if (std::min(value.room(), kMaxEncodedWord) < kOverhead + kLongestQChar) value.break_line();
    const std::size_t payload_room = std::min(value.room(), kMaxEncodedWord) - kOverhead;

    const std::size_t max_bytes = payload_room / 4 * 3;
    std::size_t end = at;
    std::size_t end_without_padding = at;
    while (end < utf8.size() && end + char_length(utf8, end) - at <= max_bytes) {
      end += char_length(utf8, end);
      if ((end - at) % 3 == 0) end_without_padding = end;
    }
    if (end == utf8.size() || end_without_padding > at) {
      if (end < utf8.size()) end = end_without_padding;
      gchar* base64 = g_base64_encode(reinterpret_cast<const guchar*>(utf8.data() + at), end - at);
      value.add(std::string(kWordStart) + base64 + std::string(kWordEnd));
      g_free(base64);
      at = end;
      continue;
    }

    std::string q;
    while (at < utf8.size()) {
      std::string encoded_char;
      const std::size_t length = char_length(utf8, at);
      for (std::size_t i = 0; i < length; ++i) {
        encoded_char += q_encoded(static_cast<unsigned char>(utf8[at + i]));
      }
      if (q.size() + encoded_char.size() > payload_room) break;
      q += encoded_char;
      at += length;
    }
    value.add("=?UTF-8?Q?" + q + std::string(kWordEnd));
  }
}

void add_plain_words(FoldedValue& value, std::string_view text) {
  while (true) {
    const std::size_t space = text.find(' ');
    value.add(text.substr(0, space));
    if (space == std::string_view::npos) return;
    text.remove_prefix(space + 1);
  }
}

}  // namespace

std::string encoded_unstructured_value(std::string_view header_name, std::string_view utf8) {
  FoldedValue value(header_name);
  if (utf8.empty()) return std::move(value).finish();
  if (is_plain_text(utf8)) {
    add_plain_words(value, utf8);
  } else {
    add_encoded(value, utf8);
  }
  return std::move(value).finish();
}

std::string encoded_mailbox_list_value(std::string_view header_name,
                                       const std::vector<ComposeAddress>& mailboxes) {
  FoldedValue value(header_name);
  for (std::size_t i = 0; i < mailboxes.size(); ++i) {
    const ComposeAddress& mailbox = mailboxes[i];
    const std::string separator = i + 1 < mailboxes.size() ? "," : "";
    if (mailbox.name.empty()) {
      value.add(mailbox.address + separator);
      continue;
    }
    if (is_plain_phrase(mailbox.name)) {
      add_plain_words(value, mailbox.name);
    } else {
      add_encoded(value, mailbox.name);
    }
    value.add("<" + mailbox.address + ">" + separator);
  }
  return std::move(value).finish();
}

}  // namespace omnigate::email
