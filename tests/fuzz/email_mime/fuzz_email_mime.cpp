// Fuzzes the inbound mail reader (GMime parse, MIME walk, charset conversion, HTML sanitising,
// bounce and auto-reply classification) and checks what the plugin relies on for any input:
// it returns, every text it hands out is valid UTF-8, and `malformed` is set exactly when a
// problem is listed. Small limits make the part, depth and size cuts reachable with small
// inputs.
#include "email_reader.hpp"

#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require_utf8(const std::string& text) {
  if (!g_utf8_validate_len(text.data(), text.size(), nullptr)) std::abort();
}

void check(const omnigate::email::ParsedEmail& mail) {
  if (mail.malformed == mail.problems.empty()) std::abort();
  for (const std::string* text :
       {&mail.message_id, &mail.in_reply_to, &mail.subject, &mail.from.name, &mail.from.address,
        &mail.text, &mail.html, &mail.new_text, &mail.quoted_text, &mail.signature,
        &mail.kind_reason, &mail.bounce.original_message_id, &mail.bounce.recipient,
        &mail.bounce.action, &mail.bounce.status, &mail.bounce.diagnostic,
        &mail.authentication.raw})
    require_utf8(*text);
  for (const auto& list : {&mail.to, &mail.cc, &mail.reply_to})
    for (const auto& address : *list) {
      require_utf8(address.name);
      require_utf8(address.address);
    }
  for (const auto& attachment : mail.attachments) {
    require_utf8(attachment.filename);
    require_utf8(attachment.content_id);
  }
  for (const std::string& problem : mail.problems) require_utf8(problem);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  check(omnigate::email::read_email(raw));
  omnigate::email::ReadOptions small;
  small.limits.max_message_bytes = 64u << 10;
  small.limits.max_header_bytes = 4u << 10;
  small.limits.max_parts = 8;
  small.limits.max_depth = 3;
  check(omnigate::email::read_email(raw, small));
  return 0;
}
