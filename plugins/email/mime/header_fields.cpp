#include "header_fields.hpp"

#include "authentication_results.hpp"
#include "charset_conversion.hpp"
#include "header_decoding.hpp"

#include <memory>
#include <string>
#include <vector>

namespace omnigate::email {
namespace {

struct ReferencesFree {
  void operator()(GMimeReferences* references) const { g_mime_references_free(references); }
};

// The ids of an In-Reply-To or References header, without <>, in header order.
std::vector<std::string> message_ids(GMimeObject* message, const char* name, ReadContext& context) {
  std::vector<std::string> ids;
  const char* raw = raw_header(message, name);
  if (raw == nullptr) return ids;
  std::unique_ptr<GMimeReferences, ReferencesFree> references(
      g_mime_references_parse(context.parser_options, raw));
  if (!references) return ids;
  const int count = g_mime_references_length(references.get());
  ids.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const char* found = g_mime_references_get_message_id(references.get(), i);
    if (found == nullptr) continue;
    std::string id = found;
    if (make_valid_utf8(id)) context.problem(std::string("invalid characters in ") + name);
    ids.push_back(std::move(id));
  }
  return ids;
}

void read_date(GMimeMessage* message, ReadContext& context) {
  const char* raw = raw_header(GMIME_OBJECT(message), "Date");
  if (raw == nullptr) return;
  GDateTime* date = g_mime_message_get_date(message);
  if (date == nullptr) {
    context.problem("unreadable Date header");
    return;
  }
  context.out.date_ms = g_date_time_to_unix(date) * 1000 + g_date_time_get_microsecond(date) / 1000;
}

}  // namespace

void read_header_fields(GMimeMessage* message, ReadContext& context) {
  ParsedEmail& out = context.out;
  GMimeObject* object = GMIME_OBJECT(message);

  if (const char* id = g_mime_message_get_message_id(message); id != nullptr) {
    out.message_id = id;
    if (make_valid_utf8(out.message_id)) context.problem("invalid characters in Message-ID");
  }
  if (auto ids = message_ids(object, "In-Reply-To", context); !ids.empty())
    out.in_reply_to = std::move(ids.front());
  out.references = message_ids(object, "References", context);

  if (const char* raw_from = raw_header(object, "From"); raw_from == nullptr) {
    context.problem("no From header");
  } else if (auto from = decode_address_list(raw_from, context); from.empty()) {
    context.problem("no address in the From header");
  } else {
    out.from = std::move(from.front());
  }
  out.reply_to = decode_address_list(raw_header(object, "Reply-To"), context);
  out.to = decode_address_list(raw_header(object, "To"), context);
  out.cc = decode_address_list(raw_header(object, "Cc"), context);
  out.subject = decode_text_header(raw_header(object, "Subject"), context);
  read_date(message, context);
  out.authentication = read_authentication_results(object);
}

}  // namespace omnigate::email
