#include "mime_walk.hpp"

#include "charset_conversion.hpp"
#include "gmime_handles.hpp"
#include "header_decoding.hpp"
#include "transfer_decoding.hpp"

#include <algorithm>
#include <string_view>

namespace omnigate::email {
namespace {

std::string lower(const char* text) {
  std::string out = text != nullptr ? text : "";
  for (char& c : out) c = g_ascii_tolower(c);
  return out;
}

void crlf_to_lf(std::string& text) {
  auto out = text.begin();
  for (auto in = text.begin(); in != text.end(); ++in) {
    if (*in == '\r' && in + 1 != text.end() && in[1] == '\n') continue;
    *out++ = *in;
  }
  text.erase(out, text.end());
}

// Which child of a multipart/alternative supplied the plain and the HTML body: another child
// of the same alternative is another rendering of the same body, not more of it.
struct AlternativeChoice {
  AlternativeChoice* outer = nullptr;
  int plain_owner = -1;
  int html_owner = -1;
  int current = 0;

  int& owner(bool html) { return html ? html_owner : plain_owner; }
};

struct Placement {
  bool may_be_body = true;  // false for the resources of multipart/related, signatures, ...
  bool related_resource = false;
  AlternativeChoice* alternative = nullptr;
};

class MimeWalk {
 public:
  MimeWalk(ReadContext& context, MessageBodies& bodies) : context_(context), bodies_(bodies) {}

  void walk(GMimeObject* object, int depth, Placement placement) {
    if (stopped_) return;
    if (++parts_ > context_.options.limits.max_parts) {
      context_.problem("more than " + std::to_string(context_.options.limits.max_parts) +
                       " MIME parts: the rest was not read");
      stopped_ = true;
      return;
    }
    if (GMIME_IS_MULTIPART(object)) {
      walk_multipart(GMIME_MULTIPART(object), depth, placement);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      keep_attached_message(GMIME_MESSAGE_PART(object), placement);
    } else if (GMIME_IS_PART(object)) {
      read_leaf(GMIME_PART(object), placement);
    }
  }

 private:
  void walk_multipart(GMimeMultipart* multipart, int depth, Placement placement) {
    if (depth >= context_.options.limits.max_depth) {
      context_.problem("MIME parts nested deeper than " +
                       std::to_string(context_.options.limits.max_depth) +
                       " levels: they were not read");
      return;
    }
    GMimeObject* object = GMIME_OBJECT(multipart);
    const std::string subtype =
        lower(g_mime_content_type_get_media_subtype(g_mime_object_get_content_type(object)));
    const int count = g_mime_multipart_get_count(multipart);
    if (subtype == "alternative") {
      AlternativeChoice choice{placement.alternative};
      for (int i = 0; i < count && !stopped_; ++i) {
        choice.current = i;
        walk(g_mime_multipart_get_part(multipart, i), depth + 1,
             {placement.may_be_body, false, &choice});
      }
      return;
    }
    const int root = subtype == "related" ? related_root(multipart) : 0;
    for (int i = 0; i < count && !stopped_; ++i) {
      Placement child = placement;
      child.related_resource = false;
      if (subtype == "related" && i != root) child = {false, true, nullptr};
      if ((subtype == "signed" || subtype == "encrypted") && i != 0)
        child = {false, false, nullptr};
      walk(g_mime_multipart_get_part(multipart, i), depth + 1, child);
    }
  }

  // The root of a multipart/related: the part its "start" parameter names, else the first.
  static int related_root(GMimeMultipart* related) {
    const char* start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(related), "start");
    if (start == nullptr) return 0;
    std::string_view wanted(start);
    if (wanted.size() >= 2 && wanted.front() == '<' && wanted.back() == '>')
      wanted = wanted.substr(1, wanted.size() - 2);
    const int count = g_mime_multipart_get_count(related);
    for (int i = 0; i < count; ++i) {
      const char* id = g_mime_object_get_content_id(g_mime_multipart_get_part(related, i));
      if (id != nullptr && wanted == id) return i;
    }
    return 0;
  }

  void read_leaf(GMimePart* part, Placement placement) {
    GMimeObject* object = GMIME_OBJECT(part);
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    const std::string type = lower(g_mime_content_type_get_media_type(content_type));
    const std::string subtype = lower(g_mime_content_type_get_media_subtype(content_type));
    const std::string disposition = declared_disposition(object);
    std::string filename = decode_part_filename(object, context_);

    const bool text_body_type = type == "text" && (subtype == "plain" || subtype == "html");
    if (placement.may_be_body && disposition != "attachment" && filename.empty()) {
      if (text_body_type) {
        if (claim_body(subtype == "html", placement.alternative)) {
          read_body(part, subtype == "html");
        }
        return;  // else another rendering of a body already read
      }
      if (placement.alternative != nullptr && type == "text" && subtype != "calendar") return;
    }
    MailAttachment attachment;
    attachment.filename = std::move(filename);
    attachment.content_type = type + "/" + subtype;
    if (const char* id = g_mime_object_get_content_id(object); id != nullptr)
      attachment.content_id = id;
    make_valid_utf8(attachment.content_id);
    attachment.disposition =
        !disposition.empty()
            ? (disposition == "inline" ? "inline" : "attachment")
            : (!attachment.content_id.empty() || placement.related_resource ? "inline"
                                                                            : "attachment");
    DecodedContent content = decode_part_content(part);
    if (content.broken_base64)
      context_.problem("invalid base64 in a " + attachment.content_type + " part");
    attachment.data = std::move(content.bytes);
    context_.out.attachments.push_back(std::move(attachment));
  }

  static std::string declared_disposition(GMimeObject* object) {
    GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
    if (disposition == nullptr) return {};
    return lower(g_mime_content_disposition_get_disposition(disposition));
  }

  // Whether a text/plain (or text/html) part becomes (more of) the body: not when an
  // enclosing alternative took that body from one of its other children.
  static bool claim_body(bool html, AlternativeChoice* alternative) {
    for (AlternativeChoice* a = alternative; a != nullptr; a = a->outer)
      if (a->owner(html) != -1 && a->owner(html) != a->current) return false;
    for (AlternativeChoice* a = alternative; a != nullptr; a = a->outer)
      a->owner(html) = a->current;
    return true;
  }

  void read_body(GMimePart* part, bool html) {
    GMimeObject* object = GMIME_OBJECT(part);
    const std::string charset = lower(g_mime_object_get_content_type_parameter(object, "charset"));
    auto& charsets = context_.out.charsets;
    if (!charset.empty() && std::find(charsets.begin(), charsets.end(), charset) == charsets.end())
      charsets.push_back(charset);

    DecodedContent content = decode_part_content(part);
    const char* kind = html ? "text/html" : "text/plain";
    if (content.broken_base64)
      context_.problem(std::string("invalid base64 in the ") + kind + " body");
    Utf8Text text = convert_to_utf8(content.bytes, charset, context_.parser_options);
    if (text.unknown_charset)
      context_.problem("unknown charset " + charset + " of the " + kind + " body");
    if (text.replaced)
      context_.problem(std::string("invalid ") + (charset.empty() ? "8-bit" : charset) +
                       " text in the " + kind + " body replaced");

    std::string& body = html ? bodies_.html : bodies_.plain;
    bool& has = html ? bodies_.has_html : bodies_.has_plain;
    if (!html) crlf_to_lf(text.text);
    if (!body.empty() && body.back() != '\n') body += '\n';
    if (body.empty()) {
      body = std::move(text.text);
    } else {
      body += text.text;
    }
    has = true;
  }

  // An attached mail is kept whole as an attachment (GMime re-writes it from what it parsed,
  // byte for byte: its headers are kept raw and its parts are windows of the message).
  void keep_attached_message(GMimeMessagePart* part, Placement placement) {
    GMimeObject* object = GMIME_OBJECT(part);
    MailAttachment attachment;
    attachment.filename = decode_part_filename(object, context_);
    if (attachment.filename.empty()) attachment.filename = "message.eml";
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    attachment.content_type = lower(g_mime_content_type_get_media_type(content_type)) + "/" +
                              lower(g_mime_content_type_get_media_subtype(content_type));
    if (const char* id = g_mime_object_get_content_id(object); id != nullptr)
      attachment.content_id = id;
    make_valid_utf8(attachment.content_id);
    const std::string disposition = declared_disposition(object);
    attachment.disposition =
        disposition == "inline" || (disposition.empty() && placement.related_resource)
            ? "inline"
            : "attachment";
    if (GMimeMessage* message = g_mime_message_part_get_message(part); message != nullptr) {
      GMimeFormatOptions* format = g_mime_format_options_clone(nullptr);
      g_mime_format_options_set_newline_format(format, context_.newline_format);
      GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new());
      g_mime_object_write_to_stream(GMIME_OBJECT(message), format, stream.get());
      g_mime_format_options_free(format);
      GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
      attachment.data.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
    }
    context_.out.attachments.push_back(std::move(attachment));
  }

  ReadContext& context_;
  MessageBodies& bodies_;
  int parts_ = 0;
  bool stopped_ = false;
};

}  // namespace

void read_mime_tree(GMimeMessage* message, ReadContext& context, MessageBodies& bodies) {
  GMimeObject* body = g_mime_message_get_mime_part(message);
  if (body == nullptr) return;
  MimeWalk(context, bodies).walk(body, 0, Placement{});
}

}  // namespace omnigate::email
