#include "delivery_status.hpp"
#include "ascii_text.hpp"

#include "borrowed_stream.hpp"
#include "charset_conversion.hpp"
#include "gmime_handles.hpp"
#include "transfer_decoding.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::email {
namespace {

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
  return g_mime_content_type_is_type(g_mime_object_get_content_type(object), type, subtype);
}

// A header block (RFC 822 style "Name: value" lines) and what follows its blank line, read
// with GMime's header parser.
struct FieldBlock {
  std::vector<std::pair<std::string, std::string>> fields;  // name, unfolded value
  std::string_view rest;

  std::string value(const char* name) const {
    for (const auto& [field, value] : fields)
      if (g_ascii_strcasecmp(field.c_str(), name) == 0) return value;
    return {};
  }
};

FieldBlock read_field_block(std::string_view bytes) {
  FieldBlock block;
  BorrowedStream stream(bytes);
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return block;
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message.get()));
  const int count = g_mime_header_list_get_count(headers);
  for (int i = 0; i < count; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
    std::string value =
        take_gstring(g_mime_utils_header_unfold(g_mime_header_get_raw_value(header)));
    make_valid_utf8(value);
    block.fields.emplace_back(g_mime_header_get_name(header), std::string(trim_space(value)));
  }
  GMimeObject* body = g_mime_message_get_mime_part(message.get());
  if (body != nullptr && GMIME_IS_PART(body)) {
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(body));
    if (content != nullptr) {
      // a window of `bytes` (the stream only borrows them), so it outlives the parser
      if (auto rest = memory_stream_bytes(g_mime_data_wrapper_get_stream(content)))
        block.rest = *rest;
    }
  }
  return block;
}

// "rfc822; bob@example.org" → "bob@example.org"; "smtp; 550 5.1.1 ...\n    rejected" →
// "550 5.1.1 ... rejected" (folded diagnostics are read as one line).
std::string after_type(const std::string& value) {
  const std::size_t semicolon = value.find(';');
  std::string_view text = semicolon == std::string::npos
                              ? std::string_view(value)
                              : std::string_view(value).substr(semicolon + 1);
  text = trim_space(text);
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
    text = text.substr(1, text.size() - 2);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

void read_status_fields(std::string_view bytes, BounceReport& report) {
  // The per-message block first, then one block per recipient: the first recipient is read.
  constexpr int kMaxBlocks = 8;
  std::string_view rest = bytes;
  for (int i = 0; i < kMaxBlocks; ++i) {
    while (!rest.empty() && (rest.front() == '\r' || rest.front() == '\n')) rest.remove_prefix(1);
    if (rest.empty()) return;
    FieldBlock block = read_field_block(rest);
    if (block.fields.empty()) return;
    std::string recipient = block.value("Final-Recipient");
    if (recipient.empty()) recipient = block.value("Original-Recipient");
    if (!recipient.empty() || !block.value("Action").empty()) {
      report.recipient = after_type(recipient);
      report.action = block.value("Action");
      for (char& c : report.action) c = g_ascii_tolower(c);
      report.status = block.value("Status");
      report.diagnostic = after_type(block.value("Diagnostic-Code"));
      return;
    }
    if (block.rest.size() >= rest.size()) return;  // no progress: not a field block
    rest = block.rest;
  }
}

}  // namespace

std::string returned_message_id(GMimeObject* part) {
  if (GMIME_IS_MESSAGE_PART(part)) {
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    const char* id = message != nullptr ? g_mime_message_get_message_id(message) : nullptr;
    std::string found = id != nullptr ? id : "";
    make_valid_utf8(found);
    return found;
  }
  if (!GMIME_IS_PART(part) ||
      !(is_type(part, "text", "rfc822-headers") || is_type(part, "message", "global-headers")))
    return {};
  const DecodedContent headers = decode_part_content(GMIME_PART(part));
  BorrowedStream stream(headers.bytes);
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  const char* id = message ? g_mime_message_get_message_id(message.get()) : nullptr;
  std::string found = id != nullptr ? id : "";
  make_valid_utf8(found);
  return found;
}

BounceReport read_delivery_report(GMimeMultipart* report) {
  BounceReport bounce;
  const int count = g_mime_multipart_get_count(report);
  for (int i = 0; i < count; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(report, i);
    if (GMIME_IS_PART(part) && (is_type(part, "message", "delivery-status") ||
                                is_type(part, "message", "global-delivery-status"))) {
      if (bounce.action.empty() && bounce.recipient.empty())
        read_status_fields(decode_part_content(GMIME_PART(part)).bytes, bounce);
      continue;
    }
    if (bounce.original_message_id.empty()) bounce.original_message_id = returned_message_id(part);
  }
  return bounce;
}

}  // namespace omnigate::email
