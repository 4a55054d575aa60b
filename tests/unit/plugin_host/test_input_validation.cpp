// What the host refuses from a plugin before anything reaches the store or the network, and
// what it copies faithfully.
#include "plugin_host/http_fetcher.hpp"
#include "plugin_host/record_mapping.hpp"

#include <catch2/catch.hpp>

#include <string>

using Catch::Matchers::Contains;
using omnigate::plugin_host::fetch_spec_error;
using omnigate::plugin_host::FetchSpec;
using omnigate::plugin_host::RecordSource;
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
  og_skill_requirement skill{s("billing"), 3};
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
  og_skill_requirement skill{s("billing"), 6};
  bad_skill.skills = &skill;
  bad_skill.skill_count = 1;
  CHECK_THAT(refusal(bad_skill), Contains("skills[0].min_level must be 1..5"));

  auto empty_attachment = valid_message();
  og_attachment attachment{};
  attachment.struct_size = sizeof attachment;
  empty_attachment.attachments = &attachment;
  empty_attachment.attachment_count = 1;
  CHECK_THAT(refusal(empty_attachment), Contains("attachments[0]: needs data or a url"));

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
