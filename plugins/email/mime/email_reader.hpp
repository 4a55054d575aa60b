// Reads a raw RFC 5322 message into a ParsedEmail with GMime: MIME structure (nested
// multiparts, multipart/alternative keeping both text and HTML, multipart/related inline
// images, message/rfc822 parts as attachments), transfer encodings, RFC 2047 encoded words and
// RFC 2231 parameters, every charset GMime/iconv know (GB2312/GBK/GB18030, Big5, Shift_JIS,
// ISO-2022-JP, ...), auto-reply and bounce detection, Authentication-Results, and the limits
// below. Never throws on bad input: what cannot be read is reported in `problems` with
// `malformed` set.
#pragma once

#include "parsed_email.hpp"

#include <cstddef>
#include <string_view>

namespace omnigate::email {

struct ReadLimits {
  std::size_t max_message_bytes = 25u << 20;  // larger: only the headers are read (malformed)
  std::size_t max_header_bytes = 256u << 10;  // of the top-level header block
  int max_parts = 500;                        // MIME parts in all; the rest is not read
  int max_depth = 20;                         // multipart/message nesting
};

struct ReadOptions {
  ReadLimits limits;
  bool load_remote_images = false;  // passed to the HTML sanitiser
};

ParsedEmail read_email(std::string_view raw, const ReadOptions& options = {});

}  // namespace omnigate::email
