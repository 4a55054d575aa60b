#include "reply_text.hpp"

#include "ascii_text.hpp"

#include <array>
#include <initializer_list>
#include <optional>
#include <vector>

namespace omnigate::email {

namespace {

// Longest line taken for a reply header ("On <date>, <name> <address> wrote:"): a longer line
// is a sentence of the customer's that happens to end the same way.
constexpr std::size_t kMaxReplyHeaderBytes = 300;

struct Line {
  std::size_t offset;     // where the line starts in the input
  std::string_view text;  // without the line break and trailing "\r"
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t offset = 0;
  while (offset < text.size()) {
    std::size_t end = text.find('\n', offset);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(offset, end - offset);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({offset, line});
    offset = end + 1;
  }
  return lines;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

bool is_blank(std::string_view line) {
  return trim_space(line).empty();
}

bool is_quote_line(std::string_view line) {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return !line.empty() && line.front() == '>';
}

bool has_digit(std::string_view s) {
  for (char c : s) {
    if (c >= '0' && c <= '9') return true;
  }
  return false;
}

struct HeaderShape {
  std::string_view starts_with;  // empty: any start
  std::string_view contains;     // empty: nothing required in between
  std::string_view ends_with;
};

// "On <date>, <name> wrote:" in the languages of our customers' mail clients. Every one of them
// carries a date, so a line without a digit is never taken.
constexpr std::array<HeaderShape, 14> kReplyHeaders = {{
    {"On ", "", "wrote:"},  // Gmail, Apple Mail, Thunderbird
    {"On ", "", "wrote :"},
    {"Am ", " schrieb ", ":"},  // German
    {"Le ", "", "a écrit :"},   // French (with the typographic space)
    {"Le ", "", "a écrit:"},
    {"El ", "", "escribió:"},    // Spanish
    {"Il ", "", "ha scritto:"},  // Italian
    {"Op ", " schreef ", ":"},   // Dutch
    {"Em ", "", "escreveu:"},    // Portuguese
    {"在", "", "写道："},        // Chinese (simplified), full-width colon
    {"在", "", "写道:"},
    {"在", "", "寫道："},       // Chinese (traditional)
    {"", "", "のメッセージ:"},  // Japanese
    {"", "", "のメッセージ："},
}};

bool is_reply_header(std::string_view line) {
  line = trim_space(line);
  if (line.size() > kMaxReplyHeaderBytes || !has_digit(line)) return false;
  for (const HeaderShape& shape : kReplyHeaders) {
    if (!line.starts_with(shape.starts_with) || !line.ends_with(shape.ends_with)) continue;
    if (line.size() < shape.starts_with.size() + shape.ends_with.size()) continue;
    const std::string_view middle = line.substr(
        shape.starts_with.size(), line.size() - shape.starts_with.size() - shape.ends_with.size());
    if (shape.contains.empty() || middle.find(shape.contains) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// Lines a reply header takes at `i` (a client may wrap it onto a second line), 0 for none.
std::size_t reply_header_lines(const std::vector<Line>& lines, std::size_t i) {
  if (is_quote_line(lines[i].text) || is_blank(lines[i].text)) return 0;
  if (is_reply_header(lines[i].text)) return 1;
  if (i + 1 >= lines.size() || is_quote_line(lines[i + 1].text)) return 0;
  const std::string_view first = trim_space(lines[i].text);
  if (!(first.starts_with("On ") || first.starts_with("Am ") || first.starts_with("Le ") ||
        first.starts_with("El ") || first.starts_with("在"))) {
    return 0;
  }
  std::string joined(first);
  joined += ' ';
  joined += trim_space(lines[i + 1].text);
  return is_reply_header(joined) ? 2 : 0;
}

// "-----Original Message-----" and its translations.
bool is_original_message_separator(std::string_view line) {
  line = trim_space(line);
  std::size_t leading = 0;
  while (leading < line.size() && line[leading] == '-') ++leading;
  std::size_t trailing = 0;
  while (trailing < line.size() - leading && line[line.size() - 1 - trailing] == '-') ++trailing;
  if (leading < 2 || trailing < 2) return false;
  const std::string label =
      ascii_lower(trim_space(line.substr(leading, line.size() - leading - trailing)));
  static constexpr std::array<std::string_view, 8> kLabels = {
      "original message",    "ursprüngliche nachricht", "message d'origine", "mensaje original",
      "messaggio originale", "oorspronkelijk bericht",  "原始邮件",          "原始郵件",
  };
  for (std::string_view known : kLabels) {
    if (label == known) return true;
  }
  return false;
}

bool starts_with_any(std::string_view line, std::initializer_list<std::string_view> prefixes) {
  line = trim_space(line);
  // Outlook's text rendering of its HTML header bolds the field names: "*From:* ...".
  if (!line.empty() && line.front() == '*') line.remove_prefix(1);
  for (std::string_view prefix : prefixes) {
    if (line.starts_with(prefix)) return true;
  }
  return false;
}

bool is_from_field(std::string_view line) {
  return starts_with_any(line, {"From:", "Von:", "De :", "De:", "Da:", "Van:", "发件人:",
                                "发件人：", "寄件者:", "寄件者：", "差出人:"});
}

bool is_sent_field(std::string_view line) {
  return starts_with_any(line, {"Sent:", "Date:", "Gesendet:", "Datum:", "Envoyé :", "Envoyé:",
                                "Enviado:", "Enviado el:", "Inviato:", "Verzonden:", "发送时间:",
                                "发送时间：", "日時:", "送信日時:"});
}

bool is_to_or_subject_field(std::string_view line) {
  return starts_with_any(
      line, {"To:",     "Subject:", "An:",     "Betreff:", "À :",      "À:",    "Objet :",
             "Objet:",  "Para:",    "Asunto:", "A:",       "Oggetto:", "Aan:",  "Onderwerp:",
             "收件人:", "收件人：", "主题:",   "主题：",   "宛先:",    "件名:", "Cc:"});
}

// Outlook's header of the message it quotes: "From:" followed closely by "Sent:" and "To:" or
// "Subject:" — three fields, because "From: ..." alone is an ordinary sentence.
bool is_outlook_header_block(const std::vector<Line>& lines, std::size_t i) {
  if (!is_from_field(lines[i].text)) return false;
  bool sent = false;
  bool to_or_subject = false;
  for (std::size_t j = i + 1; j < lines.size() && j <= i + 5; ++j) {
    sent = sent || is_sent_field(lines[j].text);
    to_or_subject = to_or_subject || is_to_or_subject_field(lines[j].text);
  }
  return sent && to_or_subject;
}

// "________________________________" above Outlook's "From:/Sent:" block.
bool is_underscore_rule_before_header(const std::vector<Line>& lines, std::size_t i) {
  const std::string_view line = trim_space(lines[i].text);
  if (line.size() < 10 || line.find_first_not_of('_') != std::string_view::npos) return false;
  for (std::size_t j = i + 1; j < lines.size() && j <= i + 2; ++j) {
    if (is_from_field(lines[j].text)) {
      for (std::size_t k = j + 1; k < lines.size() && k <= j + 4; ++k) {
        if (is_sent_field(lines[k].text)) return true;
      }
      return false;
    }
    if (!is_blank(lines[j].text)) return false;
  }
  return false;
}

// Where the quoted part starts (a line index), if anywhere. A "wrote:" header or a ">" block
// only counts when nothing but quote lines and blank lines follows the quote: text after it is
// an answer written below or between the quotes, which stays new text.
std::optional<std::size_t> find_quote_start(const std::vector<Line>& lines) {
  const std::size_t n = lines.size();
  // last_unquoted_text: the last line that is neither blank nor a quote line.
  std::optional<std::size_t> last_unquoted_text;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_blank(lines[i].text) && !is_quote_line(lines[i].text)) last_unquoted_text = i;
  }
  // next_quote[i]: the first quote line at or after i (n for none).
  std::vector<std::size_t> next_quote(n + 1, n);
  for (std::size_t i = n; i-- > 0;) {
    next_quote[i] = is_quote_line(lines[i].text) ? i : next_quote[i + 1];
  }
  const auto only_quotes_after = [&](std::size_t first_quote) {
    return first_quote == n || !last_unquoted_text || *last_unquoted_text < first_quote;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (is_original_message_separator(lines[i].text) ||
        is_underscore_rule_before_header(lines, i) || is_outlook_header_block(lines, i)) {
      return i;
    }
    if (const std::size_t header = reply_header_lines(lines, i); header > 0) {
      if (only_quotes_after(next_quote[i + header])) return i;
      continue;
    }
    if (is_quote_line(lines[i].text) && only_quotes_after(i)) return i;
  }
  return std::nullopt;
}

bool is_signature_delimiter(std::string_view line) {
  return line == "-- " || line == "--";
}

// Footers mobile clients add under the new text.
bool is_client_footer(std::string_view line) {
  const std::string lower = ascii_lower(trim_space(line));
  static constexpr std::array<std::string_view, 14> kFooters = {
      "sent from my ",     "sent from mail for windows",
      "sent from outlook", "get outlook for ",
      "von meinem ",       "gesendet von meinem ",
      "envoyé de mon ",    "enviado desde mi ",
      "inviato da ",       "verzonden vanaf mijn ",
      "发自我的",          "从我的",
      "iphoneから送信",    "enviado do meu ",
  };
  for (std::string_view footer : kFooters) {
    if (lower.starts_with(footer)) return true;
  }
  return false;
}

// Where the signature starts (a line index) among lines [0, end): the first "-- " delimiter, or
// else a client footer that is the last non-blank line.
std::optional<std::size_t> find_signature_start(const std::vector<Line>& lines, std::size_t end) {
  for (std::size_t i = 0; i < end; ++i) {
    if (is_signature_delimiter(lines[i].text)) return i;
  }
  for (std::size_t i = end; i-- > 0;) {
    if (is_blank(lines[i].text)) continue;
    if (is_client_footer(lines[i].text)) return i;
    break;
  }
  return std::nullopt;
}

std::string trim_trailing_blank(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

ReplySplit split_reply(std::string_view text) {
  const std::vector<Line> lines = split_lines(text);
  const std::optional<std::size_t> quote_line = find_quote_start(lines);
  const std::size_t quote_end = quote_line.value_or(lines.size());
  const std::optional<std::size_t> signature_line = find_signature_start(lines, quote_end);

  const std::size_t quote_offset = quote_line ? lines[*quote_line].offset : text.size();
  const std::size_t signature_offset =
      signature_line ? lines[*signature_line].offset : quote_offset;

  ReplySplit split;
  split.new_text = trim_trailing_blank(text.substr(0, signature_offset));
  split.signature =
      trim_trailing_blank(text.substr(signature_offset, quote_offset - signature_offset));
  split.quoted = std::string(text.substr(quote_offset));
  return split;
}

}  // namespace omnigate::email
