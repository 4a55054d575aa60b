#include "qa_text/transcript_export.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace omnigate;
using namespace omnigate::qa_text;

namespace {

store::Conversation conversation() {
  store::Conversation c;
  c.id = 12;
  c.channel_instance = "email";
  c.channel_kind = "email";
  c.customer_address = "ann@example.com";
  c.subject = "Broken <b>kettle</b>";
  c.created_at = 1763880000000;
  return c;
}

std::vector<store::TranscriptEntry> transcript() {
  store::Message m;
  m.id = 9;
  m.direction = "in";
  m.author_kind = "customer";
  m.body_text = "It <script>alert(1)</script> broke\nagain";
  m.created_at = 1763880000000;
  m.attachments.push_back({1, "photo.jpg", "image/jpeg", "ab", "", 3, "", "attachment"});
  store::Event ev{42, 12, "conversation.assigned", "system", R"({"agent":"alice"})", 1763880001000};
  return {{41, m, std::nullopt}, {42, std::nullopt, ev}};
}

}  // namespace

TEST_CASE("JSON Lines: the conversation, then one entry per line in order") {
  const auto out = export_transcript(conversation(), transcript(), ExportFormat::jsonl);
  std::istringstream lines(out);
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["type"] == "conversation");
  CHECK(rows[0]["id"] == 12);
  CHECK(rows[1]["type"] == "message");
  CHECK(rows[1]["body_text"] == "It <script>alert(1)</script> broke\nagain");
  CHECK(rows[1]["attachments"][0]["filename"] == "photo.jpg");
  CHECK(rows[2]["kind"] == "conversation.assigned");
  CHECK(rows[2]["data"]["agent"] == "alice");
}

TEST_CASE("text: one line per entry with UTC times, message bodies indented") {
  const auto out = export_transcript(conversation(), transcript(), ExportFormat::text);
  CHECK(out.find("Conversation 12 (email, ann@example.com)") != std::string::npos);
  CHECK(out.find("2025-11-23T06:40:00.000Z  customer wrote:\n  It <script>") != std::string::npos);
  CHECK(out.find("broke\n  again") != std::string::npos);
  CHECK(out.find("[conversation.assigned] system {\"agent\":\"alice\"}") != std::string::npos);
}

TEST_CASE("HTML: printable, a page per conversation, every stored text escaped") {
  const auto out = export_transcript(conversation(), transcript(), ExportFormat::html);
  CHECK(out.rfind("<!doctype html>", 0) == 0);
  CHECK(out.find("page-break-after:always") != std::string::npos);
  CHECK(out.find("<script>") == std::string::npos);
  CHECK(out.find("It &lt;script&gt;alert(1)&lt;/script&gt; broke") != std::string::npos);
  CHECK(out.find("Broken &lt;b&gt;kettle&lt;/b&gt;") != std::string::npos);
  CHECK(out.find("{&quot;agent&quot;:&quot;alice&quot;}") != std::string::npos);
}

TEST_CASE("export formats are named jsonl, text and html") {
  CHECK(export_format_from("jsonl") == ExportFormat::jsonl);
  CHECK(export_format_from("html") == ExportFormat::html);
  CHECK_FALSE(export_format_from("pdf"));
}
