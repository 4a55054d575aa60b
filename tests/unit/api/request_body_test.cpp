#include "api/request_body.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::api;

TEST_CASE("a reply body yields text, html, subject and linked attachments", "[api]") {
  auto r = parse_reply_body(
      R"({"text":"hi","subject":"Re: order","attachments":[{"filename":"a.pdf","content_type":"application/pdf","url":"https://example.com/a.pdf"}]})");
  REQUIRE(r.value);
  CHECK(r.value->text == "hi");
  CHECK(r.value->subject == "Re: order");
  REQUIRE(r.value->attachments.size() == 1);
  CHECK(r.value->attachments[0].url == "https://example.com/a.pdf");
}

TEST_CASE("reply bodies the API refuses name the offending field", "[api]") {
  CHECK(parse_reply_body(R"([1])").error.code == "bad_json");
  CHECK(parse_reply_body(R"({"text":5})").error.field == "text");
  CHECK(parse_reply_body(R"({"html":""})").error.field == "text");
  CHECK(parse_reply_body(R"({"text":"x","attachments":{}})").error.field == "attachments");
  CHECK(parse_reply_body(R"({"text":"x","attachments":[{"url":"file:///etc/passwd"}]})")
            .error.field == "attachments[0].url");
  CHECK(parse_reply_body(R"({"text":"x","attachments":[{"path":"/x"}]})").error.field ==
        "attachments[0].path");
  const auto big =
      parse_reply_body("{\"text\":\"" + std::string(kMaxReplyTextBytes + 1, 'a') + "\"}");
  CHECK(big.error.status == 413);
  CHECK(big.error.field == "text");
}

TEST_CASE("a reply attachment names an upload by sha256 instead of a url", "[api]") {
  const std::string sha(64, 'a');
  auto r = parse_reply_body(R"({"text":"hi","attachments":[{"filename":"a.pdf","sha256":")" +
                            std::string(64, 'A') + R"("}]})");
  REQUIRE(r.value);
  REQUIRE(r.value->attachments.size() == 1);
  const auto& a = r.value->attachments[0];
  CHECK(a.blob_sha256 == sha);  // lower-cased, as the store names files
  CHECK(a.url.empty());
  CHECK(a.filename == "a.pdf");
  CHECK(a.content_type == "application/octet-stream");

  const auto field_of = [](const std::string& attachment) {
    const auto p = parse_reply_body(R"({"text":"x","attachments":[)" + attachment + "]}");
    CHECK_FALSE(p.value);
    CHECK(p.error.status == 400);
    return p.error.field;
  };
  CHECK(field_of(R"({"filename":"a","sha256":")" + sha + R"(","url":"https://x/a"})") ==
        "attachments[0].sha256");
  CHECK(field_of(R"({"filename":"a"})") == "attachments[0].url");
  CHECK(field_of(R"({"filename":"a","sha256":"abc"})") == "attachments[0].sha256");
  CHECK(field_of(R"({"filename":"a","sha256":")" + std::string(64, 'g') + R"("})") ==
        "attachments[0].sha256");
  CHECK(field_of(R"({"sha256":")" + sha + R"("})") == "attachments[0].filename");
  CHECK(field_of(R"({"filename":"a\r\nBcc: x@y","sha256":")" + sha + R"("})") ==
        "attachments[0].filename");
  CHECK(field_of(R"({"filename":"a","content_type":"pdf","sha256":")" + sha + R"("})") ==
        "attachments[0].content_type");
  CHECK(field_of(R"({"filename":"a","sha256":5})") == "attachments[0].sha256");
}

TEST_CASE("an upload's name is 1..255 bytes of UTF-8 text, its type type/subtype", "[api]") {
  auto ok = parse_upload_meta("Größe ../etc/passwd.pdf", "application/pdf; name=x");
  REQUIRE(ok.value);
  CHECK(ok.value->filename == "Größe ../etc/passwd.pdf");  // text, never a path
  CHECK(ok.value->content_type == "application/pdf; name=x");
  CHECK(parse_upload_meta("a", std::nullopt).value->content_type == "application/octet-stream");
  CHECK(parse_upload_meta(std::string(255, 'n'), "text/plain").value);

  CHECK(parse_upload_meta(std::nullopt, "text/plain").error.code == "missing_field");
  CHECK(parse_upload_meta("", "text/plain").error.field == "filename");
  CHECK(parse_upload_meta(std::string(256, 'n'), "text/plain").error.field == "filename");
  CHECK(parse_upload_meta(std::string("a\0b", 3), "text/plain").error.field == "filename");
  CHECK(parse_upload_meta("a\tb", "text/plain").error.field == "filename");
  CHECK(parse_upload_meta("a\x7F", "text/plain").error.field == "filename");
  CHECK(parse_upload_meta("\xC3", "text/plain").error.field == "filename");
  CHECK(parse_upload_meta("a", "text").error.field == "Content-Type");
  CHECK(parse_upload_meta("a", "/plain").error.field == "Content-Type");
  CHECK(parse_upload_meta("a", "text/").error.field == "Content-Type");
  CHECK(parse_upload_meta("a", "text/plain\r\nX: y").error.field == "Content-Type");
  CHECK(parse_upload_meta("a", "text/" + std::string(251, 'p')).error.field == "Content-Type");
}

TEST_CASE("a transfer names exactly one agent or one team", "[api]") {
  CHECK(parse_transfer_body(R"({"agent_id":"bob"})").value->agent_id == "bob");
  CHECK(parse_transfer_body(R"({"team":"billing"})").value->team == "billing");
  CHECK_FALSE(parse_transfer_body(R"({})").value);
  CHECK_FALSE(parse_transfer_body(R"({"agent_id":"bob","team":"billing"})").value);
  CHECK(parse_transfer_body(R"({"agent":"bob"})").error.field == "agent");
}

TEST_CASE("presence accepts exactly the four states", "[api]") {
  CHECK(*parse_presence_body(R"({"presence":"away"})").value == omnigate::store::Presence::away);
  CHECK(parse_presence_body(R"({"presence":"Away"})").error.field == "presence");
  CHECK(parse_presence_body(R"({})").error.code == "missing_field");
}

TEST_CASE("a routing reload body must be a JSON object", "[api]") {
  CHECK(parse_routing_reload_body(R"({"selection":"longest_idle"})").value);
  CHECK(parse_routing_reload_body(R"("x")").error.code == "bad_json");
}

TEST_CASE("a body with a key twice in one object is refused, naming the key", "[api]") {
  const auto top = parse_reply_body(R"({"text":"hello","text":"goodbye"})");
  REQUIRE_FALSE(top.value);
  CHECK(top.error.status == 400);
  CHECK(top.error.code == "bad_json");
  CHECK(top.error.message.find("duplicate key \"text\"") != std::string::npos);
  const auto nested = parse_reply_body(
      R"({"text":"x","attachments":[{"url":"https://a.example/1","url":"https://a.example/2"}]})");
  CHECK(nested.error.message.find("duplicate key \"url\"") != std::string::npos);
  CHECK(parse_routing_reload_body(R"({"sla":{},"sla":{}})").error.code == "bad_json");
  CHECK(parse_user_body(R"({"name":"carol","role":"qa","role":"admin"})").error.code == "bad_json");
  // The same key in two different objects is no duplicate.
  CHECK(
      parse_reply_body(
          R"({"text":"x","attachments":[{"url":"https://a.example/1"},{"url":"https://a.example/2"}]})")
          .value);
}

TEST_CASE("a body that starts with a byte order mark is refused", "[api]") {
  const auto r = parse_reply_body("\xEF\xBB\xBF{\"text\":\"hello\"}");
  REQUIRE_FALSE(r.value);
  CHECK(r.error.status == 400);
  CHECK(r.error.code == "bad_json");
  CHECK(r.error.message.find("byte order mark") != std::string::npos);
  CHECK_FALSE(parse_routing_reload_body("\xEF\xBB\xBF{}").value);
  CHECK(parse_reply_body("{\"text\":\"\xEF\xBB\xBF hello\"}").value);  // inside a string: text
}

TEST_CASE("a \\u0000 escape anywhere in a string or key is refused", "[api]") {
  const auto value = parse_reply_body(R"({"text":"hel\u0000lo"})");
  REQUIRE_FALSE(value.value);
  CHECK(value.error.status == 400);
  CHECK(value.error.code == "bad_json");
  CHECK(value.error.message.find("\\u0000") != std::string::npos);
  CHECK(parse_reply_body(
            R"({"text":"x","attachments":[{"filename":"a\u0000.pdf","url":"https://a.example/"}]})")
            .error.code == "bad_json");
  CHECK(parse_routing_reload_body(R"({"a\u0000":1})").error.code == "bad_json");
  CHECK(parse_customer_patch_body(R"({"attributes":{"plan":["gold\u0000"]}})").error.code ==
        "bad_json");
  CHECK(parse_reply_body(R"({"text":"\u0001 is fine"})").value);
}
