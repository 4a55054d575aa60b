#include "email_reader.hpp"

#include "borrowed_stream.hpp"
#include "charset_conversion.hpp"
#include "gmime_handles.hpp"
#include "gmime_runtime.hpp"
#include "header_fields.hpp"
#include "html_sanitizer.hpp"
#include "input_limits.hpp"
#include "mail_kind.hpp"
#include "mime_walk.hpp"
#include "read_context.hpp"
#include "reply_text.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace omnigate::email {
namespace {

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const { g_mime_parser_options_free(options); }
};
using ParserOptionsPtr = std::unique_ptr<GMimeParserOptions, ParserOptionsFree>;

// GMime reads on past what it finds wrong and says so here. What it reads anyway without loss
// (duplicated or 8-bit headers, sloppy parameters and encoded words) is not a problem.
void on_parser_warning(gint64 /*offset*/, GMimeParserWarning warning, const gchar* item,
                       gpointer user_data) {
  ReadContext& context = *static_cast<ReadContext*>(user_data);
  switch (warning) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
      context.problem("the message ends inside a multipart (a closing boundary is missing)");
      break;
    case GMIME_WARN_MALFORMED_MULTIPART:
      context.problem("a multipart without parts");
      break;
    case GMIME_WARN_MALFORMED_MESSAGE:
      context.problem("malformed message structure");
      break;
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      context.problem("invalid Content-Type (read as application/octet-stream)");
      break;
    case GMIME_CRIT_INVALID_HEADER_NAME:
      context.problem("a header line without a name and colon (skipped)");
      break;
    case GMIME_CRIT_CONFLICTING_HEADER: {
      std::string name = item != nullptr ? std::string(item).substr(0, 64) : "";
      make_valid_utf8(name);
      context.problem("conflicting " + name + " headers");
      break;
    }
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      context.problem("a multipart without a boundary (read as one part)");
      break;
    case GMIME_CRIT_NESTING_OVERFLOW:
      context.problem("MIME nesting deeper than the parser allows");
      break;
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      context.problem("a MIME part without headers or content");
      break;
    default:
      break;
  }
}

// Raw 8-bit header text is tried as UTF-8, then as the charset the body declares (the same
// mail program wrote both), then GB18030 (which fails quickly on Latin text), then
// windows-1252 (which reads any byte).
void set_fallback_charsets(GMimeParserOptions* options, const std::vector<std::string>& declared) {
  std::vector<std::string> order{"utf-8"};
  if (!declared.empty()) order.emplace_back(charset_superset(declared.front()));
  for (const char* fallback : {"gb18030", "windows-1252"}) order.emplace_back(fallback);
  std::vector<const char*> charsets;
  for (const std::string& charset : order)
    if (std::find_if(charsets.begin(), charsets.end(), [&](const char* seen) {
          return g_ascii_strcasecmp(seen, charset.c_str()) == 0;
        }) == charsets.end())
      charsets.push_back(charset.c_str());
  charsets.push_back(nullptr);
  g_mime_parser_options_set_fallback_charsets(options, charsets.data());
}

GMimeNewLineFormat newline_format_of(std::string_view raw) {
  const std::size_t line_end = raw.find('\n');
  return line_end != std::string_view::npos && line_end > 0 && raw[line_end - 1] == '\r'
             ? GMIME_NEWLINE_FORMAT_DOS
             : GMIME_NEWLINE_FORMAT_UNIX;
}

void finish_bodies(MessageBodies& bodies, ReadContext& context) {
  ParsedEmail& out = context.out;
  if (bodies.has_html) {
    SanitizeOptions sanitize;
    sanitize.load_remote_images = context.options.load_remote_images;
    out.html = sanitize_html(bodies.html, sanitize).html;
  }
  if (bodies.has_plain) {
    out.text = std::move(bodies.plain);
  } else if (bodies.has_html) {
    out.text = html_to_text(bodies.html);
  }
  ReplySplit split = split_reply(out.text);
  out.new_text = std::move(split.new_text);
  out.quoted_text = std::move(split.quoted);
  out.signature = std::move(split.signature);
}

}  // namespace

ParsedEmail read_email(std::string_view raw, const ReadOptions& options) {
  ensure_gmime();
  ParsedEmail out;
  ParserOptionsPtr parser_options(g_mime_parser_options_new());
  ReadContext context{out, options, parser_options.get(), newline_format_of(raw)};
  set_fallback_charsets(parser_options.get(), {});

  const InputPlan plan = plan_input(raw, options.limits);
  if (!plan.problem.empty()) context.problem(plan.problem);
  // Of a message cut to its headers, GMime would report the missing body: not a finding.
  if (!plan.headers_only)
    g_mime_parser_options_set_warning_callback(parser_options.get(), on_parser_warning, &context);

  // Declared in this order so that the message and the parser go before the stream they
  // borrow the bytes through.
  BorrowedStream stream(plan.bytes);
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GObjectPtr<GMimeMessage> message(
      g_mime_parser_construct_message(parser.get(), parser_options.get()));
  g_mime_parser_options_set_warning_callback(parser_options.get(), nullptr, nullptr);
  if (!message) {
    context.problem("not a mail: no header could be read");
    return out;
  }

  MessageBodies bodies;
  if (!plan.headers_only) read_mime_tree(message.get(), context, bodies);
  finish_bodies(bodies, context);
  set_fallback_charsets(parser_options.get(), out.charsets);
  read_header_fields(message.get(), context);
  classify_mail(message.get(), out.text, context);
  return out;
}

}  // namespace omnigate::email
