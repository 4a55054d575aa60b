#include "compose_validation.hpp"

#include <array>
#include <string>
#include <string_view>

namespace omnigate::email {

namespace {

[[noreturn]] void refuse(const std::string& field, std::string_view why) {
  throw ComposeError(field + ": " + std::string(why));
}

std::string indexed(std::string_view list, std::size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

void check_no_line_break(std::string_view value, const std::string& field) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    refuse(field, "contains CR, LF or NUL");
  }
}

// local@domain, printable ASCII, one '@', nothing that address syntax gives a meaning to.
void check_address(std::string_view address, const std::string& field) {
  check_no_line_break(address, field);
  if (address.empty()) refuse(field, "empty address");
  std::size_t at_signs = 0;
  for (char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) refuse(field, "not a printable ASCII address");
    if (std::string_view(" <>,;:\"()[]\\").find(c) != std::string_view::npos) {
      refuse(field, "address contains one of <>,;:\"()[]\\ or a space");
    }
    if (c == '@') ++at_signs;
  }
  if (at_signs != 1) refuse(field, "address needs exactly one '@'");
  const std::size_t at = address.find('@');
  if (at == 0 || at + 1 == address.size()) refuse(field, "address needs a local part and a domain");
}

void check_mailbox(const ComposeAddress& mailbox, const std::string& field) {
  check_no_line_break(mailbox.name, field + ".name");
  check_address(mailbox.address, field + ".address");
}

// The inside of <...> in Message-ID, In-Reply-To, References and Content-ID.
void check_id(std::string_view id, const std::string& field) {
  check_no_line_break(id, field);
  if (id.empty()) refuse(field, "empty id");
  for (char c : id) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '<' || c == '>') {
      refuse(field, "id contains a space, <, > or a character outside printable ASCII");
    }
  }
}

// Headers the composer writes itself: an extra header of the same name would contradict them.
constexpr std::array<std::string_view, 14> kComposerHeaders = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "sender",
};

void check_header_name(std::string_view name, const std::string& field) {
  check_no_line_break(name, field);
  if (name.empty()) refuse(field, "empty header name");
  std::string lower;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == ':') refuse(field, "not a header field name");
    lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  for (std::string_view reserved : kComposerHeaders) {
    if (lower == reserved) refuse(field, "set by the composer itself");
  }
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&^_.+-").find(c) != std::string_view::npos;
}

// "type/subtype" with RFC 6838 name characters, no parameters.
void check_content_type(std::string_view type, const std::string& field) {
  check_no_line_break(type, field);
  if (type.empty()) return;  // application/octet-stream
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) {
    refuse(field, "not type/subtype");
  }
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i != slash && !is_token_char(type[i])) refuse(field, "not type/subtype");
  }
}

}  // namespace

void validate_compose_input(const ComposeInput& input) {
  check_mailbox(input.from, "from");
  if (input.to.empty()) refuse("to", "no recipient");
  for (std::size_t i = 0; i < input.to.size(); ++i) {
    check_mailbox(input.to[i], indexed("to", i));
  }
  check_no_line_break(input.subject, "subject");
  check_id(input.message_id, "message_id");
  if (!input.in_reply_to.empty()) check_id(input.in_reply_to, "in_reply_to");
  for (std::size_t i = 0; i < input.references.size(); ++i) {
    check_id(input.references[i], indexed("references", i));
  }
  for (std::size_t i = 0; i < input.extra_headers.size(); ++i) {
    const auto& [name, value] = input.extra_headers[i];
    check_header_name(name, indexed("extra_headers", i) + ".name");
    check_no_line_break(value, indexed("extra_headers", i) + ".value");
  }
  for (std::size_t i = 0; i < input.attachments.size(); ++i) {
    const ComposeAttachment& attachment = input.attachments[i];
    const std::string field = indexed("attachments", i);
    check_no_line_break(attachment.filename, field + ".filename");
    check_content_type(attachment.content_type, field + ".content_type");
    if (!attachment.content_id.empty()) check_id(attachment.content_id, field + ".content_id");
  }
}

}  // namespace omnigate::email
