// Builds an outgoing RFC 5322 message with GMime: UTF-8 headers encoded as RFC 2047 words,
// attachment names as RFC 2231 parameters, text/plain alone or multipart/alternative with the
// HTML (a text alternative generated from HTML when only HTML is given), multipart/related
// for inline (cid:) images, multipart/mixed for attachments; quoted-printable or base64 chosen
// per part. Header injection is impossible: a CR, LF or NUL in any header field is refused.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace omnigate::email {

struct ComposeAddress {
  std::string name;     // UTF-8 display name (encoded as needed); may be empty
  std::string address;  // local@domain (ASCII)
};

struct ComposeAttachment {
  std::string filename;      // UTF-8; sent as an RFC 2231 parameter, never read as a path
  std::string content_type;  // "type/subtype"; empty = application/octet-stream
  std::string content_id;    // without <>; set (and disposition inline) for cid: images
  bool inline_part = false;
  std::string data;
};

struct ComposeInput {
  ComposeAddress from;
  std::vector<ComposeAddress> to;
  std::string subject;                  // UTF-8
  std::string message_id;               // without <>, e.g. "og.42.1a2b3c@support.example.com"
  std::string in_reply_to;              // without <>; empty for none
  std::vector<std::string> references;  // without <>, oldest first
  int64_t date_ms = 0;                  // Date header (Unix ms); 0 = now
  std::string text;                     // UTF-8 plain text (may be empty when html is given)
  std::string html;                     // UTF-8 HTML (may be empty)
  std::vector<ComposeAttachment> attachments;
  std::vector<std::pair<std::string, std::string>>
      extra_headers;  // e.g. {"X-Omnigate-Conversation","42"}
};

struct ComposeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The whole message, CRLF line endings, ready for SMTP DATA. Throws ComposeError naming the
// field for CR/LF/NUL in a header field, an empty or invalid address, or no recipient.
std::string compose_email(const ComposeInput& input);

}  // namespace omnigate::email
