#include "call_record.hpp"
#include "provider_api.hpp"

#include <catch2/catch.hpp>
#include <omnigate/common/form.hpp>

using namespace omnigate;
using namespace omnigate::voice;

namespace {
VoiceConfig config(bool allow_private) {
  auto c =
      parse_config(R"({"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "tok",
                            "api_base": "http://127.0.0.1:8091"})");
  c.allow_private_api = allow_private;
  return c;
}
}  // namespace

TEST_CASE("provider api: a redirect is an update of the call with Url and Method") {
  const auto c = config(true);
  ProviderApi api(c);
  const auto r = api.redirect_call("CA1", "https://gw/channels/voice/connect?call=CA1");
  CHECK(r.method == "POST");
  CHECK(r.url ==
        "http://127.0.0.1:8091/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/"
        "CA1.json");
  CHECK(r.basic_auth_user == c.account_sid);
  CHECK(r.basic_auth_password == "tok");
  const auto f = form::parse(r.body).fields;
  CHECK(*form::find(f, "Url") == "https://gw/channels/voice/connect?call=CA1");
  CHECK(*form::find(f, "Method") == "POST");
  CHECK(r.allow_private);
}

TEST_CASE("provider api: a created call asks for every status event") {
  const auto c = config(false);
  ProviderApi api(c);
  const auto r =
      api.create_call("client:bob", "+441632960000", "https://gw/c", "https://gw/s", 20, "key-1");
  const auto f = form::parse(r.body).fields;
  int events = 0;
  for (const auto& [k, v] : f) events += k == "StatusCallbackEvent";
  CHECK(events == 4);
  CHECK(*form::find(f, "To") == "client:bob");
  CHECK(*form::find(f, "Timeout") == "20");
  CHECK(!r.allow_private);
  bool has_key = false;
  for (const auto& [k, v] : r.headers) has_key |= k == "Idempotency-Key" && v == "key-1";
  CHECK(has_key);
}

TEST_CASE("provider api: recordings off api_base's origin stay under the SSRF guard") {
  const auto c = config(true);
  ProviderApi api(c);
  const auto own =
      api.recording_download("http://127.0.0.1:8091/2010-04-01/Accounts/AC/Recordings/RE1");
  CHECK(own.url.ends_with("/RE1.wav"));
  CHECK(own.allow_private);
  CHECK(!api.recording_download("http://127.0.0.1:9999/RE1").allow_private);  // another port
  CHECK(!api.recording_download("http://169.254.169.254/latest/x").allow_private);
  CHECK(!api.recording_download("http://127.0.0.1:8091@10.0.0.1/x").allow_private);
  CHECK(api.recording_download("https://api.twilio.com/x/RE1.mp3").url.ends_with("RE1.mp3"));
  CHECK(url_origin("HTTP://Example.COM:80/a?b") == "http://example.com:80");
  CHECK(url_origin("nonsense").empty());
}

TEST_CASE("provider api: answers") {
  CHECK(twilio::read_create_answer({201, {}, R"({"sid": "CA9"})", ""}).provider_message_id ==
        "CA9");
  const auto bad = twilio::read_create_answer(
      {400, {}, R"({"code": 21201, "message": "No 'To' number is specified"})", ""});
  CHECK(bad.status == OG_PERMANENT);
  CHECK(bad.error_code == "21201");
  CHECK(twilio::read_create_answer({503, {}, "", ""}).status == OG_RETRY);
  CHECK(twilio::read_create_answer({0, {}, "", "refused: 10.0.0.1"}).status == OG_RETRY);
  CHECK(twilio::read_create_answer({200, {}, "{}", ""}).status == OG_PERMANENT);
}

TEST_CASE("call record: survives a round trip through the kv store") {
  CallRecord r;
  r.call_sid = "CA1";
  r.thread_key = "CA1";
  r.from = "+441632960001";
  r.caller_name = std::string("Zo\xff");  // bytes a carrier sent that are not UTF-8
  r.stage = Stage::ringing;
  r.agent = "alice";
  r.agent_contact_json = R"({"client":"alice"})";
  r.queue_position = 2;
  r.tier = "A";
  const auto back = CallRecord::from_json(r.to_json());
  REQUIRE(back);
  CHECK(back->stage == Stage::ringing);
  CHECK(back->agent_contact_json == r.agent_contact_json);
  CHECK(back->queue_position == 2);
  CHECK(back->tier == "A");
  CHECK(back->caller_name == "Zo\xef\xbf\xbd");
  CHECK(!CallRecord::from_json("{\"call_sid\": \"CA1\", \"stage\": \"dancing\"}"));
  CHECK(!CallRecord::from_json("not json"));
}
