#include "qa_text/transcript_export.hpp"

#include <date/date.h>
#include <nlohmann/json.hpp>
#include <omnigate/html_escape.hpp>

#include <chrono>

namespace omnigate::qa_text {
namespace {

using nlohmann::json;

std::string iso_time(store::UnixMs ms) {
  return date::format(
      "%FT%TZ", std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

// Stored text is valid UTF-8 (the store repairs it); a JSON dump that met anything else would
// replace it rather than fail the export.
std::string dump_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json event_data(const std::string& data_json) {
  json data = json::parse(data_json, nullptr, /*allow_exceptions=*/false);
  return data.is_discarded() ? json(data_json) : data;
}

json conversation_json(const store::Conversation& c) {
  return {{"type", "conversation"},
          {"id", c.id},
          {"customer_id", c.customer_id},
          {"channel_instance", c.channel_instance},
          {"channel_kind", c.channel_kind},
          {"subject", c.subject},
          {"customer_address", c.customer_address},
          {"status", store::to_string(c.status)},
          {"created_at", c.created_at}};
}

json entry_json(const store::TranscriptEntry& e) {
  if (e.message) {
    const auto& m = *e.message;
    json files = json::array();
    for (const auto& a : m.attachments)
      files.push_back({{"filename", a.filename},
                       {"content_type", a.content_type},
                       {"sha256", a.sha256},
                       {"size", a.size}});
    return {{"seq", e.seq},
            {"type", "message"},
            {"at", m.created_at},
            {"id", m.id},
            {"direction", m.direction},
            {"author_kind", m.author_kind},
            {"author_id", m.author_id},
            {"subject", m.subject},
            {"body_text", m.body_text},
            {"provider_message_id", m.provider_message_id},
            {"delivery_state", m.delivery_state},
            {"attachments", files}};
  }
  const auto& ev = *e.event;
  return {{"seq", e.seq},
          {"type", "event"},
          {"at", ev.created_at},
          {"id", ev.id},
          {"kind", ev.kind},
          {"actor", ev.actor},
          {"data", event_data(ev.data_json)}};
}

std::string who(const store::Message& m) {
  if (m.author_kind == "customer") return "customer";
  return m.author_id.empty() ? m.author_kind : m.author_kind + " " + m.author_id;
}

std::string text_export(const store::Conversation& c,
                        const std::vector<store::TranscriptEntry>& transcript) {
  std::string out = "Conversation " + std::to_string(c.id) + " (" + c.channel_instance + ", " +
                    c.customer_address + ")\n";
  if (!c.subject.empty()) out += "Subject: " + c.subject + "\n";
  out += "Started: " + iso_time(c.created_at) + "\n\n";
  for (const auto& e : transcript) {
    if (e.message) {
      const auto& m = *e.message;
      out += iso_time(m.created_at) + "  " + who(m) + (m.direction == "in" ? " wrote" : " replied");
      out += ":\n";
      if (!m.subject.empty()) out += "  Subject: " + m.subject + "\n";
      std::string body = m.body_text;
      std::size_t pos = 0;
      while ((pos = body.find('\n', pos)) != std::string::npos) body.replace(pos++, 1, "\n  ");
      out += "  " + body + "\n";
      for (const auto& a : m.attachments) out += "  [attachment: " + a.filename + "]\n";
    } else {
      const auto& ev = *e.event;
      out += iso_time(ev.created_at) + "  [" + ev.kind + "] " + ev.actor;
      if (ev.data_json != "{}") out += " " + ev.data_json;
      out += "\n";
    }
  }
  return out;
}

std::string html_page(const store::Conversation& c,
                      const std::vector<store::TranscriptEntry>& transcript) {
  std::string out = "<section class=\"conversation\">\n<h1>Conversation " + std::to_string(c.id) +
                    "</h1>\n<p class=\"meta\">" + html_escape(c.channel_instance) + " · " +
                    html_escape(c.customer_address) + " · started " + iso_time(c.created_at) +
                    "</p>\n";
  if (!c.subject.empty()) out += "<h2>" + html_escape(c.subject) + "</h2>\n";
  for (const auto& e : transcript) {
    if (e.message) {
      const auto& m = *e.message;
      out += "<div class=\"message " + std::string(m.direction == "in" ? "in" : "out") +
             "\"><p class=\"meta\">" + iso_time(m.created_at) + " · " + html_escape(who(m)) +
             "</p>";
      if (!m.subject.empty()) out += "<p class=\"subject\">" + html_escape(m.subject) + "</p>";
      out += "<pre>" + html_escape(m.body_text) + "</pre>";
      for (const auto& a : m.attachments)
        out += "<p class=\"attachment\">attachment: " + html_escape(a.filename) + "</p>";
      out += "</div>\n";
    } else {
      const auto& ev = *e.event;
      out += "<div class=\"event\">" + iso_time(ev.created_at) + " · " + html_escape(ev.kind) +
             " · " + html_escape(ev.actor);
      if (ev.data_json != "{}") out += " <code>" + html_escape(ev.data_json) + "</code>";
      out += "</div>\n";
    }
  }
  return out + "</section>\n";
}

// One printable document; each conversation a page of its own.
std::string html_document(const std::vector<std::string>& pages) {
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Transcripts</title>\n"
      "<style>body{font-family:sans-serif;margin:2em}"
      ".meta,.event{color:#555;font-size:90%}pre{white-space:pre-wrap;margin:.2em 0}"
      ".message{border-left:3px solid #999;padding-left:.6em;margin:.6em 0}"
      ".message.out{border-color:#36c}"
      "@media print{section.conversation{page-break-after:always}}</style>\n</head><body>\n";
  for (const auto& page : pages) out += page;
  return out + "</body></html>\n";
}

}  // namespace

std::optional<ExportFormat> export_format_from(std::string_view name) {
  if (name == "jsonl") return ExportFormat::jsonl;
  if (name == "text") return ExportFormat::text;
  if (name == "html") return ExportFormat::html;
  return std::nullopt;
}

const char* export_extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::jsonl:
      return "jsonl";
    case ExportFormat::text:
      return "txt";
    case ExportFormat::html:
      return "html";
  }
  return "";
}

const char* export_content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::jsonl:
      return "application/jsonl; charset=utf-8";
    case ExportFormat::text:
      return "text/plain; charset=utf-8";
    case ExportFormat::html:
      return "text/html; charset=utf-8";
  }
  return "";
}

std::string export_transcript(const store::Conversation& conversation,
                              const std::vector<store::TranscriptEntry>& transcript,
                              ExportFormat format) {
  switch (format) {
    case ExportFormat::jsonl: {
      std::string out = dump_line(conversation_json(conversation));
      for (const auto& e : transcript) out += dump_line(entry_json(e));
      return out;
    }
    case ExportFormat::text:
      return text_export(conversation, transcript);
    case ExportFormat::html:
      return html_document({html_page(conversation, transcript)});
  }
  return {};
}

}  // namespace omnigate::qa_text
