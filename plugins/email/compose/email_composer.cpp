#include "email_composer.hpp"

#include <gmime/gmime.h>

#include <chrono>

#include "compose_validation.hpp"
#include "gmime_runtime.hpp"
#include "gobject_ref.hpp"
#include "header_encoding.hpp"
#include "html_sanitizer.hpp"

namespace omnigate::email {

namespace {

// Text bodies with LF only: the writer's DOS newline filter makes every line end CRLF, and a
// lone CR (which SMTP servers reject or mangle) cannot survive.
std::string with_unix_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
      out += '\n';
    }
  }
  return out;
}

GObjectRef<GMimeDataWrapper> wrap_bytes(std::string_view bytes) {
  GObjectRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  return GObjectRef<GMimeDataWrapper>(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
}

// text/<subtype>; charset=utf-8, 7bit if it can be, else quoted-printable or base64, whichever
// GMime finds shorter for this content.
GObjectRef<GMimeObject> text_part(const char* subtype, std::string_view text) {
  GObjectRef<GMimePart> part(g_mime_part_new_with_type("text", subtype));
  const std::string body = with_unix_newlines(text);
  g_mime_part_set_content(part.get(), wrap_bytes(body).get());
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  g_mime_part_set_content_encoding(part.get(), g_mime_part_get_best_content_encoding(
                                                   part.get(), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GObjectRef<GMimeObject>(GMIME_OBJECT(part.release()));
}

// Attachments go as base64 whatever their type: their bytes arrive exactly (a text file's
// line ends are not the composer's to change).
GObjectRef<GMimeObject> attachment_part(const ComposeAttachment& attachment) {
  const std::string content_type =
      attachment.content_type.empty() ? "application/octet-stream" : attachment.content_type;
  const std::size_t slash = content_type.find('/');
  GObjectRef<GMimePart> part(g_mime_part_new_with_type(content_type.substr(0, slash).c_str(),
                                                       content_type.substr(slash + 1).c_str()));
  g_mime_part_set_content(part.get(), wrap_bytes(attachment.data).get());
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  g_mime_object_set_disposition(GMIME_OBJECT(part.get()), attachment.inline_part
                                                              ? GMIME_DISPOSITION_INLINE
                                                              : GMIME_DISPOSITION_ATTACHMENT);
  if (!attachment.filename.empty()) {
    g_mime_part_set_filename(part.get(), attachment.filename.c_str());
  }
  if (!attachment.content_id.empty()) {
    g_mime_part_set_content_id(part.get(), attachment.content_id.c_str());
  }
  return GObjectRef<GMimeObject>(GMIME_OBJECT(part.release()));
}

GObjectRef<GMimeObject> multipart(const char* subtype) {
  return GObjectRef<GMimeObject>(GMIME_OBJECT(g_mime_multipart_new_with_subtype(subtype)));
}

void add(GMimeObject* multipart, const GObjectRef<GMimeObject>& part) {
  g_mime_multipart_add(GMIME_MULTIPART(multipart), part.get());  // takes its own reference
}

bool goes_in_related(const ComposeInput& input, const ComposeAttachment& attachment) {
  return !input.html.empty() && attachment.inline_part && !attachment.content_id.empty();
}

// text/plain, or multipart/alternative of the text and the HTML; inside multipart/related
// with the inline images the HTML shows; inside multipart/mixed with the attachments.
GObjectRef<GMimeObject> body(const ComposeInput& input) {
  if (input.html.empty()) return text_part("plain", input.text);

  GObjectRef<GMimeObject> alternative = multipart("alternative");
  add(alternative.get(),
      text_part("plain", input.text.empty() ? html_to_text(input.html) : input.text));
  add(alternative.get(), text_part("html", input.html));
  GObjectRef<GMimeObject> content = std::move(alternative);

  bool has_related = false;
  for (const ComposeAttachment& attachment : input.attachments) {
    has_related = has_related || goes_in_related(input, attachment);
  }
  if (has_related) {
    GObjectRef<GMimeObject> related = multipart("related");
    // RFC 2387: "type" names the root part's type.
    g_mime_object_set_content_type_parameter(related.get(), "type", "multipart/alternative");
    add(related.get(), content);
    for (const ComposeAttachment& attachment : input.attachments) {
      if (goes_in_related(input, attachment)) add(related.get(), attachment_part(attachment));
    }
    content = std::move(related);
  }
  return content;
}

GObjectRef<GMimeObject> content(const ComposeInput& input) {
  GObjectRef<GMimeObject> message_body = body(input);
  bool has_mixed = false;
  for (const ComposeAttachment& attachment : input.attachments) {
    has_mixed = has_mixed || !goes_in_related(input, attachment);
  }
  if (!has_mixed) return message_body;
  GObjectRef<GMimeObject> mixed = multipart("mixed");
  add(mixed.get(), message_body);
  for (const ComposeAttachment& attachment : input.attachments) {
    if (!goes_in_related(input, attachment)) add(mixed.get(), attachment_part(attachment));
  }
  return mixed;
}

std::string angle_bracketed(const std::string& id) {
  return "<" + id + ">";
}

// Replaces what GMime's formatter would write for the header at `index` (see header_encoding.hpp).
void set_raw_value(GMimeObject* object, int index, const std::string& raw) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  g_mime_header_set_raw_value(g_mime_header_list_get_header_at(headers, index), raw.c_str());
}

int index_of(GMimeObject* object, const char* name) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    if (g_ascii_strcasecmp(g_mime_header_get_name(g_mime_header_list_get_header_at(headers, i)),
                           name) == 0) {
      return i;
    }
  }
  return -1;
}

int last_index(GMimeObject* object) {
  return g_mime_header_list_get_count(g_mime_object_get_header_list(object)) - 1;
}

void set_headers(GMimeMessage* message, const ComposeInput& input) {
  GMimeObject* object = GMIME_OBJECT(message);
  const int64_t date_ms = input.date_ms != 0
                              ? input.date_ms
                              : std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  GDateTime* date = g_date_time_new_from_unix_utc(date_ms / 1000);
  g_mime_message_set_date(message, date);
  g_date_time_unref(date);

  g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_FROM, input.from.name.c_str(),
                             input.from.address.c_str());
  for (const ComposeAddress& to : input.to) {
    g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_TO, to.name.c_str(), to.address.c_str());
  }
  set_raw_value(object, index_of(object, "From"), encoded_mailbox_list_value("From", {input.from}));
  set_raw_value(object, index_of(object, "To"), encoded_mailbox_list_value("To", input.to));
  g_mime_message_set_subject(message, input.subject.c_str(), "utf-8");
  set_raw_value(object, index_of(object, "Subject"),
                encoded_unstructured_value("Subject", input.subject));
  g_mime_message_set_message_id(message, input.message_id.c_str());
  if (!input.in_reply_to.empty()) {
    g_mime_object_set_header(object, "In-Reply-To", angle_bracketed(input.in_reply_to).c_str(),
                             nullptr);
  }
  if (!input.references.empty()) {
    std::string references;
    for (const std::string& reference : input.references) {
      if (!references.empty()) references += ' ';
      references += angle_bracketed(reference);
    }
    g_mime_object_set_header(object, "References", references.c_str(), nullptr);
  }
  g_mime_object_set_header(object, "MIME-Version", "1.0", nullptr);
  for (const auto& [name, value] : input.extra_headers) {
    g_mime_object_append_header(object, name.c_str(), value.c_str(), "utf-8");
    set_raw_value(object, last_index(object), encoded_unstructured_value(name, value));
  }
}

}  // namespace

std::string compose_email(const ComposeInput& input) {
  validate_compose_input(input);
  ensure_gmime();

  GObjectRef<GMimeMessage> message(g_mime_message_new(TRUE));
  set_headers(message.get(), input);
  g_mime_message_set_mime_part(message.get(), content(input).get());

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method(options, GMIME_PARAM_ENCODING_METHOD_RFC2231);
  GObjectRef<GMimeStream> stream(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(message.get()), options, stream.get());
  g_mime_format_options_free(options);

  const GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace omnigate::email
