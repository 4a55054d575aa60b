// What the host refuses from a plugin before anything reaches the store or the network, and
// what it copies faithfully.
#include "plugin_host/http_fetcher.hpp"
#include "plugin_host/plugin_response.hpp"
#include "plugin_host/record_mapping.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Catch::Matchers::Contains;
using omnigate::plugin_host::fetch_spec_error;
using omnigate::plugin_host::FetchSpec;
using omnigate::plugin_host::RecordSource;
using omnigate::plugin_host::to_http_response;
using omnigate::plugin_host::to_inbound_record;

namespace {

og_str s(const char* text) {
  return og_str{text, std::char_traits<char>::length(text)};
}

og_inbound_message valid_message() {
  og_inbound_message m{};
  m.struct_size = sizeof m;
  m.provider_message_id = s("SM1");
  m.from_kind = s("phone");
  m.from_address = s("+15550001111");
  m.body_text = s("hello");
  return m;
}

std::string refusal(const og_inbound_message& m) {
  omnigate::store::InboundRecord out;
  return to_inbound_record(m, RecordSource{"sms", "sms", 1000}, out);
}

}  // namespace

TEST_CASE("an inbound message is copied into a record stamped with its instance and time") {
  auto m = valid_message();
  og_attachment attachment{};
  attachment.struct_size = sizeof attachment;
  attachment.filename = s("../../etc/passwd");
  attachment.content_type = s("image/png");
  attachment.data = s("\x89PNG");
  m.attachments = &attachment;
  m.attachment_count = 1;
  og_skill_requirement skill{sizeof(og_skill_requirement), s("billing"), 3};
  m.skills = &skill;
  m.skill_count = 1;
  m.priority = 2;
  m.sent_at_ms = 42;
  omnigate::store::InboundRecord out;
  REQUIRE(to_inbound_record(m, RecordSource{"sms", "sms", 1000}, out).empty());
  CHECK(out.channel_instance == "sms");
  CHECK(out.received_at == 1000);
  CHECK(out.sent_at == 42);
  CHECK(out.priority == 2);
  REQUIRE(out.skills.size() == 1);
  CHECK(out.skills[0].skill == "billing");
  CHECK(out.skills[0].level == 3);
  REQUIRE(out.attachments.size() == 1);
  // Metadata only: the store names files by content, never by this.
  CHECK(out.attachments[0].filename == "../../etc/passwd");
  CHECK(out.attachments[0].data == "\x89PNG");
}

TEST_CASE("inbound messages the store could not use are refused with the reason") {
  auto no_sender = valid_message();
  no_sender.from_address = og_str{nullptr, 0};
  CHECK_THAT(refusal(no_sender), Contains("from_address is required"));

  auto bad_priority = valid_message();
  bad_priority.priority = 9;
  CHECK_THAT(refusal(bad_priority), Contains("priority must be 0..4"));

  auto malformed_without_raw = valid_message();
  malformed_without_raw.flags = OG_INBOUND_MALFORMED;
  CHECK_THAT(refusal(malformed_without_raw), Contains("raw is required"));

  auto bad_metadata = valid_message();
  bad_metadata.metadata_json = s("[1,2]");
  CHECK_THAT(refusal(bad_metadata), Contains("metadata_json is not a JSON object"));
  // An object's opening brace is not enough: the whole text must be one valid JSON object.
  for (const char* not_an_object : {"{\"a\":1", "{} {}", "{\"a\":}", " ", "\"{}\""}) {
    bad_metadata.metadata_json = s(not_an_object);
    CHECK_THAT(refusal(bad_metadata), Contains("metadata_json is not a JSON object"));
  }
  auto spaced_metadata = valid_message();
  spaced_metadata.metadata_json = s(" \n{\"ok\": [1, {\"x\": null}]} ");
  CHECK(refusal(spaced_metadata).empty());

  auto bad_skill = valid_message();
  og_skill_requirement skill{sizeof(og_skill_requirement), s("billing"), 6};
  bad_skill.skills = &skill;
  bad_skill.skill_count = 1;
  CHECK_THAT(refusal(bad_skill), Contains("skills[0].min_level must be 1..5"));

  auto empty_attachment = valid_message();
  og_attachment attachment{};
  attachment.struct_size = sizeof attachment;
  empty_attachment.attachments = &attachment;
  empty_attachment.attachment_count = 1;
  CHECK_THAT(refusal(empty_attachment),
             Contains("attachments[0]: needs data, a blob_ref or a url"));

  auto dangling = valid_message();
  dangling.subject = og_str{nullptr, 5};
  CHECK_THAT(refusal(dangling), Contains("has a length but no pointer"));
}

TEST_CASE("fetch requests that could smuggle a header or another scheme are refused") {
  FetchSpec ok;
  ok.url = "https://api.example.com/v1/messages";
  CHECK(fetch_spec_error(ok).empty());

  auto header_injection = ok;
  header_injection.headers = {{"X-Id", "1\r\nHost: internal"}};
  CHECK_THAT(fetch_spec_error(header_injection), Contains("line break"));

  auto bad_name = ok;
  bad_name.headers = {{"X Id", "1"}};
  CHECK_THAT(fetch_spec_error(bad_name), Contains("invalid header name"));

  auto bad_method = ok;
  bad_method.method = "GET /admin";
  CHECK_THAT(fetch_spec_error(bad_method), Contains("invalid HTTP method"));

  for (const char* url : {"ftp://example.com/", "file:///etc/passwd", "gopher://x/", "//x/"}) {
    auto other_scheme = ok;
    other_scheme.url = url;
    INFO(url);
    CHECK_THAT(fetch_spec_error(other_scheme), Contains("only http:// and https://"));
  }
}

namespace {

og_http_response valid_reply(const og_header* headers = nullptr, size_t header_count = 0) {
  og_http_response r{};
  r.struct_size = sizeof r;
  r.status = 200;
  r.content_type = s("text/xml");
  r.body = s("<Response/>");
  r.headers = headers;
  r.header_count = header_count;
  return r;
}

std::string reply_refusal(const og_http_response& r) {
  omnigate::http::Response out;
  return to_http_response(r, out);
}

}  // namespace

TEST_CASE("a plugin's reply is copied whole") {
  const og_header header{sizeof(og_header), s("Cache-Control"), s("no-store")};
  omnigate::http::Response out;
  REQUIRE(to_http_response(valid_reply(&header, 1), out).empty());
  CHECK(out.status == 200);
  CHECK(out.content_type == "text/xml");
  CHECK(out.body == "<Response/>");
  REQUIRE(out.headers.size() == 1);
  CHECK(out.headers[0].first == "Cache-Control");
  CHECK(out.headers[0].second == "no-store");
}

TEST_CASE("a plugin's reply that cannot be sent is refused with the reason") {
  auto bad_status = valid_reply();
  bad_status.status = 999;
  CHECK_THAT(reply_refusal(bad_status), Contains("status 999 is not a final HTTP status"));

  auto body_on_204 = valid_reply();
  body_on_204.status = 204;
  CHECK(reply_refusal(body_on_204) == "a 204 reply cannot have a body");

  auto injected_type = valid_reply();
  injected_type.content_type = s("text/xml\r\nSet-Cookie: x=1");
  CHECK_THAT(reply_refusal(injected_type), Contains("content_type contains a control character"));

  const og_header injected{sizeof(og_header), s("X-Id"), s("1\r\nSet-Cookie: x=1")};
  CHECK_THAT(reply_refusal(valid_reply(&injected, 1)),
             Contains("header X-Id: value contains a control character"));

  const og_header dangling_header{sizeof(og_header), s("X-Id"), og_str{nullptr, 4}};
  CHECK_THAT(reply_refusal(valid_reply(&dangling_header, 1)),
             Contains("headers[0] has a length but no pointer"));
  CHECK_THAT(reply_refusal(valid_reply(nullptr, 2)), Contains("headers is NULL"));
  auto dangling_body = valid_reply();
  dangling_body.body = og_str{nullptr, 3};
  CHECK_THAT(reply_refusal(dangling_body), Contains("body has a length but no pointer"));
}

TEST_CASE("a plugin's reply over the documented limits is refused before it is copied") {
  using omnigate::plugin_host::max_reply_body_bytes;
  using omnigate::plugin_host::max_reply_header_bytes;
  using omnigate::plugin_host::max_reply_header_count;
  const std::string body(max_reply_body_bytes + 1, 'x');
  auto big_body = valid_reply();
  big_body.body = og_str{body.data(), body.size()};
  CHECK_THAT(reply_refusal(big_body), Contains("is over the limit of 4194304"));
  big_body.body.len = max_reply_body_bytes;
  CHECK(reply_refusal(big_body).empty());

  const std::string value(max_reply_header_bytes, 'v');
  const og_header big{sizeof(og_header), s("X-Big"), og_str{value.data(), value.size()}};
  CHECK_THAT(reply_refusal(valid_reply(&big, 1)),
             Contains("headers are over the limit of 16384 bytes"));

  const std::vector<og_header> many(max_reply_header_count + 1,
                                    og_header{sizeof(og_header), s("X-A"), s("1")});
  CHECK_THAT(reply_refusal(valid_reply(many.data(), many.size())),
             Contains("101 headers are over the limit of 100"));
  CHECK(reply_refusal(valid_reply(many.data(), max_reply_header_count)).empty());
}
