// The SMS plugin through its real C ABI: the built libog_sms.so, dlopen()ed, driven by a fake
// host that records every call.
#include <omnigate/testing/fake_host.hpp>

#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_signature.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <ctime>
#include <tuple>
#include <vector>

using namespace omnigate::testing;
namespace form = omnigate::form;

namespace {

const std::string kToken = "s3cr3t-auth-token-0123456789abcd";
const std::string kSid = "AC0123456789abcdef0123456789abcdef";
const std::string kPublic = "https://gw.example.com";

nlohmann::json base_config() {
  return {{"account_sid", kSid},           {"auth_token", kToken},
          {"public_base_url", kPublic},    {"api_base", "http://127.0.0.1:9999"},
          {"from_number", "+18005550199"}, {"allow_private_api", true}};
}

struct Fixture {
  explicit Fixture(const nlohmann::json& config = base_config())
      : plugin(OG_SMS_PLUGIN_PATH, host, "sms", config.dump()) {
    REQUIRE(plugin.create_status() == OG_OK);
  }

  // POST a form to /channels/sms<path>, signed the way Twilio signs it (unless told otherwise).
  RecordedResponse post(const std::string& path, const form::Fields& fields,
                        const std::string& signature_override = "none") {
    std::string body = form::encode(fields);
    return post_raw(path, body, fields, signature_override);
  }
  RecordedResponse post_raw(const std::string& path, const std::string& body,
                            const form::Fields& signed_fields,
                            const std::string& signature_override = "none") {
    std::string url = kPublic + "/channels/sms" + path;
    std::string signature = signature_override == "none"
                                ? omnigate::twilio::compute_signature(kToken, url, signed_fields)
                                : signature_override;
    HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"},
                       {"User-Agent", "TwilioProxy/1.1"}};
    if (!signature.empty()) headers.emplace_back("X-Twilio-Signature", signature);
    return plugin.request("POST", path, "", headers, body);
  }

  FakeHost host;
  LoadedPlugin plugin;
};

form::Fields inbound_sms() {
  return {{"ToCountry", "US"},
          {"SmsMessageSid", "SM11111111111111111111111111111111"},
          {"NumMedia", "0"},
          {"SmsSid", "SM11111111111111111111111111111111"},
          {"SmsStatus", "received"},
          {"Body", "Hello, my router is broken"},
          {"FromCountry", "US"},
          {"To", "+18005550199"},
          {"MessagingServiceSid", "MG00000000000000000000000000000000"},
          {"NumSegments", "1"},
          {"MessageSid", "SM11111111111111111111111111111111"},
          {"AccountSid", kSid},
          {"From", "+14155550100"},
          {"ApiVersion", "2010-04-01"}};
}

form::Fields without(form::Fields fields, const std::string& name) {
  std::erase_if(fields, [&](const auto& f) { return f.first == name; });
  return fields;
}

form::Fields with(form::Fields fields, const std::string& name, const std::string& value) {
  fields = without(std::move(fields), name);
  fields.emplace_back(name, value);
  return fields;
}

og_outbound_message outbound(const std::string& to, const std::string& body,
                             const std::string& key = "outbox-42") {
  og_outbound_message m;
  std::memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  static std::string s_to, s_body, s_key;  // keep the borrowed strings alive for the call
  s_to = to;
  s_body = body;
  s_key = key;
  m.to_address = {s_to.data(), s_to.size()};
  m.body_text = {s_body.data(), s_body.size()};
  m.idempotency_key = {s_key.data(), s_key.size()};
  return m;
}

}  // namespace

TEST_CASE("sms plugin: describes itself and publishes a config schema") {
  FakeHost host;
  LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", base_config().dump());
  const og_plugin_api& api = plugin.api();
  CHECK(api.abi_major == OG_ABI_MAJOR);
  CHECK(std::string(api.name) == "sms");
  CHECK(std::string(api.channel_kind) == "sms");
  auto schema = nlohmann::json::parse(api.config_schema_json);
  CHECK(schema["required"] == nlohmann::json({"account_sid", "auth_token", "public_base_url"}));
}

TEST_CASE("sms plugin: registers POST /sms and POST /status") {
  Fixture f;
  REQUIRE(f.host.routes.size() == 2);
  CHECK(f.host.routes[0].method == "POST");
  CHECK(f.host.routes[0].path == "/sms");
  CHECK(f.host.routes[1].method == "POST");
  CHECK(f.host.routes[1].path == "/status");
}

TEST_CASE("sms plugin: bad config is refused with the key named") {
  struct Case {
    nlohmann::json config;
    std::string key;
  };
  auto minus = [](const char* key) {
    auto c = base_config();
    c.erase(key);
    return c;
  };
  auto plus = [](const char* key, nlohmann::json v) {
    auto c = base_config();
    c[key] = std::move(v);
    return c;
  };
  std::vector<Case> cases{
      {minus("auth_token"), "auth_token"},
      {minus("account_sid"), "account_sid"},
      {minus("public_base_url"), "public_base_url"},
      {plus("from_nmber", "+1"), "from_nmber"},
      {plus("from_number", "0800 123"), "from_number"},
      {plus("api_base", "ftp://x"), "api_base"},
      {plus("public_base_url", "https://gw.example.com/?x=1"), "public_base_url"},
      {plus("default_priority", 5), "default_priority"},
      {plus("validate_signature", "yes"), "validate_signature"},
      {plus("skills", nlohmann::json::array({{{"skill", "sms"}, {"min_level", 9}}})),
       "skills[0].min_level"},
      {plus("account_sid", "AC/../x"), "account_sid"},
      {plus("timeout_ms", 0), "timeout_ms"},
  };
  for (const auto& c : cases) {
    INFO(c.config.dump());
    FakeHost host;
    LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", c.config.dump());
    CHECK(plugin.create_status() == OG_CONFIG);
    CHECK(plugin.create_error().starts_with(c.key + ":"));
    CHECK(plugin.create_error().find(kToken) == std::string::npos);
  }
  FakeHost host;
  LoadedPlugin not_json(OG_SMS_PLUGIN_PATH, host, "sms", "{not json");
  CHECK(not_json.create_status() == OG_CONFIG);
}

TEST_CASE("sms plugin: a signed inbound SMS is submitted and answered with empty TwiML") {
  Fixture f;
  auto response = f.post("/sms", inbound_sms());
  CHECK(response.status == 200);
  CHECK(response.content_type == "text/xml");
  CHECK(response.body == R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)");
  REQUIRE(f.host.inbound.size() == 1);
  const auto& m = f.host.inbound[0];
  CHECK(m.request_id == 1);  // ties the held answer to the commit
  CHECK(m.provider_message_id == "SM11111111111111111111111111111111");
  CHECK(m.from_kind == "phone");
  CHECK(m.from_address == "+14155550100");
  CHECK(m.to_address == "+18005550199");
  CHECK(m.thread_key == "+14155550100|+18005550199");
  CHECK(m.body_text == "Hello, my router is broken");
  CHECK(m.attachments.empty());
  CHECK(m.flags == 0);
  CHECK(m.raw == form::encode(inbound_sms()));
  CHECK(m.skills == std::vector<std::pair<std::string, int>>{{"sms", 1}});
  CHECK(m.priority == 0);
  auto meta = nlohmann::json::parse(m.metadata_json);
  CHECK(meta["AccountSid"] == kSid);
  CHECK(meta["MessagingServiceSid"] == "MG00000000000000000000000000000000");
  CHECK(meta["NumSegments"] == "1");
  CHECK(meta["FromCountry"] == "US");
}

TEST_CASE("sms plugin: configured skills and priority go with every inbound message") {
  auto config = base_config();
  config["skills"] = {{{"skill", "lang:en"}, {"min_level", 2}}, {{"skill", "billing"}}};
  config["default_priority"] = 2;
  Fixture f(config);
  REQUIRE(f.post("/sms", inbound_sms()).status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  CHECK(f.host.inbound[0].skills ==
        std::vector<std::pair<std::string, int>>{{"lang:en", 2}, {"billing", 1}});
  CHECK(f.host.inbound[0].priority == 2);
}

TEST_CASE("sms plugin: a signature made over the URL with :443 is accepted") {
  Fixture f;
  std::string url = "https://gw.example.com:443/channels/sms/sms";
  auto signature = omnigate::twilio::compute_signature(kToken, url, inbound_sms());
  CHECK(f.post("/sms", inbound_sms(), signature).status == 200);
  CHECK(f.host.inbound.size() == 1);
}

TEST_CASE("sms plugin: wrong or missing signature → 403 and nothing submitted") {
  Fixture f;
  auto good =
      omnigate::twilio::compute_signature(kToken, kPublic + "/channels/sms/sms", inbound_sms());
  std::string flipped = good;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  for (const std::string& signature : {std::string(), flipped, good.substr(1)}) {
    auto response = f.post("/sms", inbound_sms(), signature);
    CHECK(response.status == 403);
  }
  // Signed with another token, or over other parameters than those sent.
  auto other_token =
      omnigate::twilio::compute_signature("other", kPublic + "/channels/sms/sms", inbound_sms());
  CHECK(f.post("/sms", inbound_sms(), other_token).status == 403);
  CHECK(f.post("/sms", with(inbound_sms(), "Body", "tampered"), good).status == 403);
  CHECK(f.post("/status", {{"MessageSid", "SM1"}, {"MessageStatus", "delivered"}}, good).status ==
        403);
  CHECK(f.host.inbound.empty());
  CHECK(f.host.deliveries.empty());
  for (const auto& line : f.host.logs) CHECK(line.find(kToken) == std::string::npos);
}

TEST_CASE("sms plugin: with validate_signature = false unsigned webhooks are accepted") {
  auto config = base_config();
  config["validate_signature"] = false;
  Fixture f(config);
  CHECK(f.post("/sms", inbound_sms(), "").status == 200);
  CHECK(f.host.inbound.size() == 1);
}

TEST_CASE("sms plugin: a missing required field → 400 naming it, nothing submitted") {
  Fixture f;
  for (const char* field : {"MessageSid", "From", "To"}) {
    INFO(field);
    auto fields = without(inbound_sms(), field);
    if (std::string(field) == "MessageSid") fields = without(fields, "SmsMessageSid");
    auto response = f.post("/sms", fields);
    CHECK(response.status == 400);
    CHECK(response.body.starts_with(std::string(field) + ":"));
  }
  auto no_body = f.post("/sms", with(inbound_sms(), "Body", ""));
  CHECK(no_body.status == 400);
  CHECK(no_body.body.starts_with("Body:"));
  auto bad_count = f.post("/sms", with(inbound_sms(), "NumMedia", "two"));
  CHECK(bad_count.status == 400);
  CHECK(bad_count.body.starts_with("NumMedia:"));
  CHECK(f.host.inbound.empty());
}

TEST_CASE("sms plugin: MMS media become attachments with their url (not fetched)") {
  Fixture f;
  auto fields = with(with(inbound_sms(), "Body", ""), "NumMedia", "2");
  fields.emplace_back("MediaUrl0",
                      "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME0");
  fields.emplace_back("MediaContentType0", "image/jpeg");
  fields.emplace_back("MediaUrl1",
                      "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1");
  fields.emplace_back("MediaContentType1", "application/pdf");
  REQUIRE(f.post("/sms", fields).status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  const auto& atts = f.host.inbound[0].attachments;
  REQUIRE(atts.size() == 2);
  CHECK(atts[0].url.ends_with("/Media/ME0"));
  CHECK(atts[0].content_type == "image/jpeg");
  CHECK(atts[0].data.empty());
  CHECK(atts[1].url.ends_with("/Media/ME1"));
  CHECK(atts[1].content_type == "application/pdf");
  CHECK(f.host.inbound[0].body_text.empty());

  auto missing_url = without(fields, "MediaUrl1");
  auto response = f.post("/sms", missing_url);
  CHECK(response.status == 400);
  CHECK(response.body.starts_with("MediaUrl1:"));
}

TEST_CASE("sms plugin: media beyond max_media are left out and counted in the metadata") {
  auto config = base_config();
  config["max_media"] = 1;
  Fixture f(config);
  auto fields = with(inbound_sms(), "NumMedia", "2");
  fields.emplace_back("MediaUrl0", "https://media.example/0");
  fields.emplace_back("MediaUrl1", "https://media.example/1");
  REQUIRE(f.post("/sms", fields).status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  CHECK(f.host.inbound[0].attachments.size() == 1);
  CHECK(nlohmann::json::parse(f.host.inbound[0].metadata_json)["media_dropped"] == 1);
}

TEST_CASE("sms plugin: a body with bad escapes is kept raw and flagged malformed") {
  auto config = base_config();
  config["validate_signature"] = false;  // nobody can sign what does not decode
  Fixture f(config);
  std::string body = "MessageSid=SM2&From=%2B14155550100&To=%2B18005550199&Body=50%+off%ZZ";
  auto response = f.post_raw("/sms", body, {}, "");
  CHECK(response.status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  CHECK(f.host.inbound[0].flags == OG_INBOUND_MALFORMED);
  CHECK(f.host.inbound[0].raw == body);
  CHECK(f.host.inbound[0].from_address == "+14155550100");

  auto hopeless = f.post_raw("/sms", "%%%garbage%", {}, "");
  CHECK(hopeless.status == 400);
  CHECK(hopeless.body.starts_with("MessageSid:"));
  CHECK(f.host.inbound.size() == 1);
}

TEST_CASE("sms plugin: bytes that are not UTF-8 in a kept field do not lose the message") {
  // Twilio percent-encodes whatever the carrier sent; a city name in Latin-1 must not turn a
  // customer's message into an error the provider retries forever.
  Fixture f;
  auto fields = with(inbound_sms(), "FromCity", "S\xE3o Paulo");
  fields.emplace_back("FromState", "\xC3");  // a sequence cut short
  REQUIRE(f.post("/sms", fields).status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  const auto meta = nlohmann::json::parse(f.host.inbound[0].metadata_json);
  CHECK(meta["FromCity"] == "S\xEF\xBF\xBDo Paulo");  // U+FFFD for the stray byte
  CHECK(meta["FromState"] == "\xEF\xBF\xBD");
  CHECK(meta["AccountSid"] == kSid);
}

TEST_CASE("sms plugin: status callbacks become delivery reports") {
  Fixture f;
  struct Case {
    std::string status;
    og_delivery_state state;
  };
  for (const auto& c : std::vector<Case>{{"queued", OG_DELIVERY_QUEUED},
                                         {"sending", OG_DELIVERY_QUEUED},
                                         {"sent", OG_DELIVERY_SENT},
                                         {"delivered", OG_DELIVERY_DELIVERED},
                                         {"read", OG_DELIVERY_READ},
                                         {"undelivered", OG_DELIVERY_UNDELIVERED},
                                         {"failed", OG_DELIVERY_FAILED}}) {
    INFO(c.status);
    form::Fields fields{{"MessageSid", "SM" + c.status}, {"MessageStatus", c.status},
                        {"SmsStatus", c.status},         {"AccountSid", kSid},
                        {"From", "+18005550199"},        {"To", "+14155550100"},
                        {"ApiVersion", "2010-04-01"}};
    if (c.status == "undelivered") fields.emplace_back("ErrorCode", "30003");
    auto response = f.post("/status", fields);
    CHECK(response.status == 200);
    CHECK(response.body.empty());
    REQUIRE_FALSE(f.host.deliveries.empty());
    const auto& d = f.host.deliveries.back();
    CHECK(d.provider_message_id == "SM" + c.status);
    CHECK(d.state == c.state);
    CHECK(d.error_code == (c.status == "undelivered" ? "30003" : ""));
    CHECK(d.request_id != 0);
  }
  CHECK(f.host.deliveries.size() == 7);
}

TEST_CASE("sms plugin: a status callback without sid or with an unknown status → 400") {
  Fixture f;
  auto no_sid = f.post("/status", {{"MessageStatus", "sent"}});
  CHECK(no_sid.status == 400);
  CHECK(no_sid.body.starts_with("MessageSid:"));
  auto unknown = f.post("/status", {{"MessageSid", "SM1"}, {"MessageStatus", "exploded"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body.starts_with("MessageStatus:"));
  CHECK(f.host.deliveries.empty());
}

TEST_CASE("sms plugin: outbound request is Twilio's create-Message call") {
  Fixture f;
  REQUIRE(f.plugin.send(7, outbound("+14155550100", "Your router is fixed & tested")) == OG_OK);
  REQUIRE(f.host.fetches.size() == 1);
  const auto& req = f.host.fetches[0];
  CHECK(req.method == "POST");
  CHECK(req.url == "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Messages.json");
  CHECK(req.basic_auth_user == kSid);
  CHECK(req.basic_auth_password == kToken);
  CHECK(req.header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(req.header("Idempotency-Key") == "outbox-42");
  CHECK(req.flags == OG_FETCH_ALLOW_PRIVATE);
  CHECK(req.timeout_ms == 15000);
  auto parsed = form::parse(req.body);
  CHECK_FALSE(parsed.malformed);
  CHECK(parsed.fields ==
        form::Fields{{"To", "+14155550100"},
                     {"From", "+18005550199"},
                     {"Body", "Your router is fixed & tested"},
                     {"StatusCallback", "https://gw.example.com/channels/sms/status"}});
  CHECK(f.host.send_results.empty());  // the outcome follows the fetch
}

TEST_CASE("sms plugin: outbound uses the message sender and media, no StatusCallback when off") {
  auto config = base_config();
  config["status_callback"] = false;
  config["allow_private_api"] = false;
  Fixture f(config);
  auto m = outbound("+14155550100", "");
  std::string from = "+18005550111";
  m.from_address = {from.data(), from.size()};
  og_attachment a;
  std::memset(&a, 0, sizeof a);
  a.struct_size = sizeof a;
  std::string url = "https://cdn.example.com/invoice.pdf";
  a.url = {url.data(), url.size()};
  m.attachments = &a;
  m.attachment_count = 1;
  REQUIRE(f.plugin.send(1, m) == OG_OK);
  REQUIRE(f.host.fetches.size() == 1);
  CHECK(f.host.fetches[0].flags == 0);
  CHECK(form::parse(f.host.fetches[0].body).fields ==
        form::Fields{{"To", "+14155550100"}, {"From", "+18005550111"}, {"MediaUrl", url}});
}

TEST_CASE("sms plugin: a message that cannot be sent fails at once without a request") {
  Fixture f;
  std::string error;
  CHECK(f.plugin.send(1, outbound("", "hello"), &error) == OG_PERMANENT);
  CHECK(error.starts_with("To:"));
  CHECK(f.plugin.send(2, outbound("+14155550100", ""), &error) == OG_PERMANENT);
  CHECK(error.starts_with("Body:"));
  CHECK(f.host.fetches.empty());
  CHECK(f.host.send_results.empty());
}

TEST_CASE("sms plugin: provider answers map to send results") {
  Fixture f;
  auto send_and_answer = [&](int status, const std::string& body, const HeaderList& headers = {},
                             const std::string& error = {}) {
    uint64_t ticket = f.host.fetches.size() + 100;
    REQUIRE(f.plugin.send(ticket, outbound("+14155550100", "hi")) == OG_OK);
    f.plugin.complete_fetch(f.host.fetches.size() - 1, status, body, headers, error);
    REQUIRE(f.host.send_results.size() == f.host.fetches.size());
    CHECK(f.host.send_results.back().ticket == ticket);
    return f.host.send_results.back();
  };

  SECTION("201 with a sid → OK with the provider id") {
    auto r = send_and_answer(
        201, R"({"sid": "SMabcdef0123456789abcdef0123456789", "status": "queued"})");
    CHECK(r.status == OG_OK);
    CHECK(r.provider_message_id == "SMabcdef0123456789abcdef0123456789");
  }
  SECTION("429 → RETRY with Retry-After") {
    auto r =
        send_and_answer(429, R"({"code": 20429, "message": "Too Many Requests", "status": 429})",
                        {{"Retry-After", "7"}});
    CHECK(r.status == OG_RETRY);
    CHECK(r.retry_after_ms == 7000);
    CHECK(r.error_code == "20429");
  }
  SECTION("500 → RETRY") {
    auto r = send_and_answer(500, "upstream exploded");
    CHECK(r.status == OG_RETRY);
    CHECK(r.retry_after_ms == 0);
    CHECK(r.error_text.find("500") != std::string::npos);
  }
  SECTION("400 → PERMANENT with Twilio's code and message kept") {
    auto r = send_and_answer(
        400,
        R"({"code": 21211, "message": "The 'To' number +1 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})");
    CHECK(r.status == OG_PERMANENT);
    CHECK(r.error_code == "21211");
    CHECK(r.error_text == "The 'To' number +1 is not a valid phone number.");
  }
  SECTION("401 → PERMANENT (credentials are wrong; retrying will not fix them)") {
    auto r = send_and_answer(401, R"({"code": 20003, "message": "Authenticate", "status": 401})");
    CHECK(r.status == OG_PERMANENT);
    CHECK(r.error_code == "20003");
  }
  SECTION("transport error → RETRY") {
    auto r = send_and_answer(0, "", {}, "connection refused");
    CHECK(r.status == OG_RETRY);
    CHECK(r.error_text.find("connection refused") != std::string::npos);
  }
  SECTION("2xx without a sid → PERMANENT, never a blind resend") {
    auto r = send_and_answer(200, "<html>ok</html>");
    CHECK(r.status == OG_PERMANENT);
  }
  for (const auto& line : f.host.logs) CHECK(line.find(kToken) == std::string::npos);
}

// ---------------------------------------------------------------- lookup before a re-send

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Twilio's date format (RFC 2822, GMT) for a Unix time in ms.
std::string twilio_date(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return out;
}

nlohmann::json listed(const std::string& sid, const std::string& to, const std::string& body,
                      int64_t created_ms, const std::string& direction = "outbound-api") {
  return {{"sid", sid},
          {"to", to},
          {"from", direction == "inbound" ? to : "+18005550199"},
          {"body", body},
          {"direction", direction},
          {"num_media", "0"},
          {"status", "delivered"},
          {"date_created", twilio_date(created_ms)},
          {"date_sent", nullptr}};
}

std::string page(const nlohmann::json& messages, const std::string& next = "") {
  nlohmann::json p = {{"messages", messages}, {"page", 0}, {"page_size", 100}};
  p["next_page_uri"] = next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next);
  return p.dump();
}

}  // namespace

TEST_CASE("sms plugin: lookup searches Twilio's message list for this customer and number") {
  Fixture f;
  REQUIRE(f.plugin.lookup(5, outbound("+14155550100", "hi there"), now_ms()) == OG_OK);
  REQUIRE(f.host.fetches.size() == 1);
  const auto& req = f.host.fetches[0];
  CHECK(req.method == "GET");
  CHECK(req.url == "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid +
                       "/Messages.json?To=%2B14155550100&From=%2B18005550199&PageSize=100");
  CHECK(req.basic_auth_user == kSid);
  CHECK(req.basic_auth_password == kToken);
  CHECK(req.body.empty());
  CHECK(f.host.send_results.empty());
}

TEST_CASE("sms plugin: lookup finds the reply an earlier attempt created, and only that one") {
  Fixture f;
  const int64_t enqueued = now_ms() - 5000;
  REQUIRE(f.plugin.lookup(5, outbound("+14155550100", "hi there"), enqueued) == OG_OK);
  f.plugin.complete_fetch(
      0, 200,
      page({listed("SMcustomer", "+14155550100", "hi there", enqueued + 1000, "inbound"),
            listed("SMotherbody", "+14155550100", "something else", enqueued + 1000),
            listed("SMours", "+14155550100", "hi there", enqueued + 2000),
            listed("SMolder", "+14155550100", "hi there", enqueued - 3600 * 1000)}));
  REQUIRE(f.host.send_results.size() == 1);
  CHECK(f.host.send_results[0].ticket == 5);
  CHECK(f.host.send_results[0].status == OG_OK);
  CHECK(f.host.send_results[0].provider_message_id == "SMours");
}

TEST_CASE("sms plugin: lookup never answers a sid the gateway recorded for another reply") {
  Fixture f;
  const int64_t enqueued = now_ms() - 5000;
  REQUIRE(f.plugin.lookup(5, outbound("+14155550100", "OK"), enqueued, nullptr, {"SMnewer"}) ==
          OG_OK);
  f.plugin.complete_fetch(0, 200,
                          page({listed("SMnewer", "+14155550100", "OK", enqueued + 3000),
                                listed("SMours", "+14155550100", "OK", enqueued + 1000)}));
  REQUIRE(f.host.send_results.size() == 1);
  CHECK(f.host.send_results[0].provider_message_id == "SMours");
}

TEST_CASE("sms plugin: lookup follows next_page_uri and answers not found at the end") {
  Fixture f;
  const int64_t enqueued = now_ms() - 5000;
  REQUIRE(f.plugin.lookup(6, outbound("+14155550100", "hi there"), enqueued) == OG_OK);
  const std::string next = "/2010-04-01/Accounts/" + kSid +
                           "/Messages.json?To=%2B14155550100&PageSize=100&Page=1&PageToken=PASMx";
  f.plugin.complete_fetch(
      0, 200,
      page(nlohmann::json::array({listed("SMa", "+14155550100", "other", enqueued + 100)}), next));
  REQUIRE(f.host.fetches.size() == 2);
  CHECK(f.host.fetches[1].url == "http://127.0.0.1:9999" + next);
  CHECK(f.host.send_results.empty());
  f.plugin.complete_fetch(1, 200, page(nlohmann::json::array()));
  REQUIRE(f.host.send_results.size() == 1);
  CHECK(f.host.send_results[0].status == OG_NOT_FOUND);
}

TEST_CASE("sms plugin: a list older than the reply ends the search without reading more pages") {
  Fixture f;
  const int64_t enqueued = now_ms() - 5000;
  REQUIRE(f.plugin.lookup(6, outbound("+14155550100", "hi there"), enqueued) == OG_OK);
  f.plugin.complete_fetch(0, 200,
                          page(nlohmann::json::array({listed("SMold", "+14155550100", "hi there",
                                                             enqueued - 3600 * 1000)}),
                               "/next"));
  REQUIRE(f.host.send_results.size() == 1);
  CHECK(f.host.send_results[0].status == OG_NOT_FOUND);
  CHECK(f.host.fetches.size() == 1);
}

TEST_CASE("sms plugin: a lookup the provider cannot answer is RETRY, never not found") {
  Fixture f;
  REQUIRE(f.plugin.lookup(1, outbound("+14155550100", "x"), now_ms()) == OG_OK);
  f.plugin.complete_fetch(0, 503, R"({"code": 20500, "message": "down"})", {{"Retry-After", "7"}});
  REQUIRE(f.plugin.lookup(2, outbound("+14155550100", "x"), now_ms()) == OG_OK);
  f.plugin.complete_fetch(1, 0, "", {}, "connection refused");
  REQUIRE(f.plugin.lookup(3, outbound("+14155550100", "x"), now_ms()) == OG_OK);
  f.plugin.complete_fetch(2, 401, R"({"code": 20003, "message": "Authenticate"})");
  REQUIRE(f.plugin.lookup(4, outbound("+14155550100", "x"), now_ms()) == OG_OK);
  f.plugin.complete_fetch(3, 200, "<html>");
  REQUIRE(f.host.send_results.size() == 4);
  for (const auto& r : f.host.send_results) CHECK(r.status == OG_RETRY);
  CHECK(f.host.send_results[0].retry_after_ms == 7000);
  CHECK(f.host.send_results[2].error_code == "20003");
}

TEST_CASE("sms plugin: a message without recipient is not looked up (the send will fail)") {
  Fixture f;
  CHECK(f.plugin.lookup(1, outbound("", "x"), now_ms()) == OG_DECLINE);
  CHECK(f.host.fetches.empty());
}

// ---------------------------------------------------------------- reconcile lost callbacks

TEST_CASE("sms plugin: replies stuck short of a final state are polled and reported") {
  Fixture f;
  REQUIRE(f.plugin.start() == OG_OK);
  REQUIRE(f.host.timers.size() == 1);
  CHECK(f.host.timers[0] == 60000);  // min(reconcile_after_ms = 10 min, one minute)
  const int64_t now = now_ms();
  f.host.unsettled = {{1, "SMdue", OG_DELIVERY_SENT, now - 20 * 60 * 1000},
                      {2, "SMyoung", OG_DELIVERY_SENT, now - 60 * 1000},
                      {3, "SMlost", OG_DELIVERY_SENT, now - 30 * 60 * 1000},
                      {4, "SMancient", OG_DELIVERY_SENT, now - 4LL * 24 * 3600 * 1000}};
  f.plugin.fire_timer(1);
  REQUIRE(f.host.listings.size() == 1);
  CHECK(f.host.listings[0].sent_before_ms - f.host.listings[0].sent_after_ms ==
        3LL * 24 * 3600 * 1000 - 10 * 60 * 1000);
  // One request at a time, in outbox order: the young and the too old ones are left alone.
  REQUIRE(f.host.fetches.size() == 1);
  CHECK(f.host.fetches[0].method == "GET");
  CHECK(f.host.fetches[0].url ==
        "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Messages/SMdue.json");
  f.plugin.complete_fetch(0, 200, R"({"sid": "SMdue", "status": "delivered", "error_code": null})");
  REQUIRE(f.host.fetches.size() == 2);
  CHECK(f.host.fetches[1].url.ends_with("/Messages/SMlost.json"));
  f.plugin.complete_fetch(
      1, 200,
      R"({"sid": "SMlost", "status": "undelivered", "error_code": 30003, "error_message": "Unreachable"})");
  REQUIRE(f.host.deliveries.size() == 2);
  CHECK(f.host.deliveries[0].request_id == 0);
  CHECK(f.host.deliveries[0].provider_message_id == "SMdue");
  CHECK(f.host.deliveries[0].state == OG_DELIVERY_DELIVERED);
  CHECK(f.host.deliveries[1].state == OG_DELIVERY_UNDELIVERED);
  CHECK(f.host.deliveries[1].error_code == "30003");
  CHECK(f.host.deliveries[1].error_text == "Unreachable");
  // The next scan comes one interval later, and does not poll the same replies again at once.
  REQUIRE(f.host.timers.size() == 2);
  f.plugin.fire_timer(2);
  CHECK(f.host.fetches.size() == 2);
  CHECK(f.host.timers.size() == 3);
}

TEST_CASE("sms plugin: a poll that finds no change or fails reports nothing and goes on") {
  Fixture f;
  REQUIRE(f.plugin.start() == OG_OK);
  const int64_t now = now_ms();
  f.host.unsettled = {{1, "SMa", OG_DELIVERY_SENT, now - 20 * 60 * 1000},
                      {2, "SMb", OG_DELIVERY_SENT, now - 20 * 60 * 1000}};
  f.plugin.fire_timer(1);
  f.plugin.complete_fetch(0, 200, R"({"sid": "SMa", "status": "sent"})");
  REQUIRE(f.host.fetches.size() == 2);
  f.plugin.complete_fetch(1, 0, "", {}, "connection refused");
  CHECK(f.host.deliveries.empty());
  CHECK(f.host.timers.size() == 2);
}

TEST_CASE("sms plugin: reconcile_after_ms = 0 turns polling off") {
  auto config = base_config();
  config["reconcile_after_ms"] = 0;
  Fixture f(config);
  REQUIRE(f.plugin.start() == OG_OK);
  CHECK(f.host.timers.empty());
}

TEST_CASE("sms plugin: reconcile keys are checked") {
  for (const auto& [key, value, named] :
       std::vector<std::tuple<std::string, long long, std::string>>{
           {"reconcile_after_ms", 50, "reconcile_after_ms"},
           {"reconcile_after_ms", -1, "reconcile_after_ms"},
           {"reconcile_max_age_ms", 600000, "reconcile_max_age_ms"}}) {
    auto config = base_config();
    config[key] = value;
    FakeHost host;
    LoadedPlugin plugin(OG_SMS_PLUGIN_PATH, host, "sms", config.dump());
    CHECK(plugin.create_status() == OG_CONFIG);
    CHECK(plugin.create_error().starts_with(named + ":"));
  }
}
