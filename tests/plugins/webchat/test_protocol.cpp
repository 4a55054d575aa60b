// decode_client_frame against plugins/webchat/README.md, "Protocol": each client frame type with
// its fields, each error code the server answers with, the limits, and the error frame itself.
#include "protocol.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;
using namespace omnigate::webchat;

namespace {

const ProtocolLimits kLimits{/*max_text_bytes=*/16, /*max_attachments=*/2,
                             /*max_comment_bytes=*/8};

const std::string kUpload = "sha256:" + std::string(64, 'a');

template <class Frame>
Frame decoded(const std::string& text) {
  auto result = decode_client_frame(text, kLimits);
  INFO(text);
  REQUIRE(std::holds_alternative<ClientFrame>(result));
  auto& frame = std::get<ClientFrame>(result);
  REQUIRE(std::holds_alternative<Frame>(frame));
  return std::get<Frame>(frame);
}

ProtocolError refused(const std::string& text) {
  auto result = decode_client_frame(text, kLimits);
  INFO(text);
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  return std::get<ProtocolError>(result);
}

std::string code_of(const std::string& text) {
  return refused(text).code;
}

}  // namespace

TEST_CASE("hello with every field, and with none but the type") {
  const auto full = decoded<HelloFrame>(
      R"({"type":"hello","token":"t.k","last_seq":42,"epoch":"e1",)"
      R"("profile":{"name":"Vera","email":"vera@example.com","topic":"billing"},)"
      R"("identity":{"kind":"email","id":"kim@example.com","hash":"00ff"},"extra":[1,2]})");
  CHECK(full.token == "t.k");
  CHECK(full.last_seq == 42);
  CHECK(full.epoch == "e1");
  REQUIRE(full.profile);
  CHECK(full.profile->name == "Vera");
  CHECK(full.profile->email == "vera@example.com");
  CHECK(full.profile->topic == "billing");
  REQUIRE(full.identity);
  CHECK(full.identity->kind == "email");
  CHECK(full.identity->id == "kim@example.com");
  CHECK(full.identity->hash == "00ff");

  const auto bare = decoded<HelloFrame>(R"({"type":"hello"})");
  CHECK(bare.token.empty());
  CHECK(bare.last_seq == 0);
  CHECK(bare.epoch.empty());
  CHECK_FALSE(bare.profile);
  CHECK_FALSE(bare.identity);
  // null is "not given", as for every field.
  CHECK_FALSE(decoded<HelloFrame>(R"({"type":"hello","profile":null,"token":null})").profile);
  CHECK(decoded<HelloFrame>(R"({"type":"hello","last_seq":18446744073709551615})").last_seq ==
        18446744073709551615u);
}

TEST_CASE("hello with bad fields is refused with bad_field or too_large") {
  CHECK(code_of(R"({"type":"hello","token":7})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","token":")" + std::string(257, 'a') + R"("})") == "too_large");
  CHECK(code_of(R"({"type":"hello","epoch":")" + std::string(65, 'e') + R"("})") == "too_large");
  CHECK(code_of(R"({"type":"hello","last_seq":-1})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","last_seq":1.5})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","last_seq":"3"})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","profile":"Vera"})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","profile":{"email":"not an address"}})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","profile":{"name":")" + std::string(201, 'n') + R"("}})") ==
        "too_large");
  CHECK(code_of(R"({"type":"hello","identity":[]})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","identity":{"kind":"bogus","id":"x","hash":"00"}})") ==
        "bad_field");
  CHECK(code_of(R"({"type":"hello","identity":{"id":"x","hash":"00"}})") == "bad_field");
  CHECK(code_of(R"({"type":"hello","identity":{"kind":"phone","id":"","hash":"00"}})") ==
        "bad_field");
  CHECK(code_of(R"({"type":"hello","identity":{"kind":"phone","id":"+4930"}})") == "bad_field");
  for (const char* kind : {"email", "phone", "external"}) {
    const auto hello = decoded<HelloFrame>(std::string(R"({"type":"hello","identity":{"kind":")") +
                                           kind + R"(","id":"u1","hash":"ab"}})");
    CHECK(hello.identity->kind == kind);
  }
}

TEST_CASE("a message: id, text and attachments") {
  const auto m = decoded<MessageFrame>(R"({"type":"message","id":"Ab_9-z","text":"hi there"})");
  CHECK(m.id == "Ab_9-z");
  CHECK(m.text == "hi there");
  CHECK(m.uploads.empty());

  const auto with_file = decoded<MessageFrame>(
      R"({"type":"message","id":"m2","attachments":[{"upload":")" + kUpload + R"("}]})");
  CHECK(with_file.text.empty());
  CHECK(with_file.uploads == std::vector<std::string>{kUpload});

  // Exactly at the limits: 64 id characters, max_text_bytes of text (UTF-8 bytes, not chars).
  const std::string id64(64, 'x');
  CHECK(decoded<MessageFrame>(R"({"type":"message","id":")" + id64 + R"(","text":"t"})").id ==
        id64);
  const std::string eight_umlauts = "\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4";  // 16 B
  CHECK(decoded<MessageFrame>(R"({"type":"message","id":"u","text":")" + eight_umlauts + R"("})")
            .text == eight_umlauts);
}

TEST_CASE("a message without a usable id is refused, and the error carries no id") {
  for (const std::string& bad_id : std::vector<std::string>{
           R"()", R"(,"id":"")", R"(,"id":"a b")", R"(,"id":"../x")", R"(,"id":"\u00e4")",
           R"(,"id":7)", R"(,"id":")" + std::string(65, 'x') + R"(")"}) {
    const auto error = refused(R"({"type":"message","text":"hi")" + bad_id + "}");
    CHECK(error.code == "bad_field");
    CHECK(error.id.empty());
  }
}

TEST_CASE("a message with bad text or attachments is refused, naming its id") {
  auto error = refused(R"({"type":"message","id":"m1","text":5})");
  CHECK(error.code == "bad_field");
  CHECK(error.id == "m1");
  CHECK(error.message.find("text") != std::string::npos);

  error = refused(R"({"type":"message","id":"m2","text":")" + std::string(17, 'x') + R"("})");
  CHECK(error.code == "too_large");
  CHECK(error.id == "m2");

  CHECK(code_of(R"({"type":"message","id":"m3","text":" \r\n\t"})") == "bad_field");
  CHECK(code_of(R"({"type":"message","id":"m3"})") == "bad_field");
  CHECK(code_of(R"({"type":"message","id":"m4","text":"x","attachments":{}})") == "bad_field");
  CHECK(code_of(R"({"type":"message","id":"m4","text":"x","attachments":[")" + kUpload +
                R"("]})") == "bad_field");
  CHECK(code_of(R"({"type":"message","id":"m4","text":"x","attachments":[{}]})") == "bad_field");
  for (const std::string& ref :
       std::vector<std::string>{"sha256:" + std::string(64, 'A'), "sha256:" + std::string(63, 'a'),
                                "sha1:" + std::string(64, 'a'), "sha256:" + std::string(64, 'g')})
    CHECK(code_of(R"({"type":"message","id":"m5","attachments":[{"upload":")" + ref + R"("}]})") ==
          "bad_field");
  const std::string three = R"({"upload":")" + kUpload + R"("})";
  CHECK(code_of(R"({"type":"message","id":"m6","attachments":[)" + three + "," + three + "," +
                three + "]}") == "too_large");
}

TEST_CASE("typing, seen, csat, transcript and ping") {
  CHECK(decoded<TypingFrame>(R"({"type":"typing","on":true})").on);
  CHECK_FALSE(decoded<TypingFrame>(R"({"type":"typing","on":false})").on);
  CHECK(code_of(R"({"type":"typing"})") == "bad_field");
  CHECK(code_of(R"({"type":"typing","on":1})") == "bad_field");

  CHECK(decoded<SeenFrame>(R"({"type":"seen","seq":0})").seq == 0);
  CHECK(decoded<SeenFrame>(R"({"type":"seen","seq":17})").seq == 17);
  for (const char* bad : {R"({"type":"seen"})", R"({"type":"seen","seq":-1})",
                          R"({"type":"seen","seq":2.5})", R"({"type":"seen","seq":"2"})"})
    CHECK(code_of(bad) == "bad_field");

  for (int score = 1; score <= 5; ++score)
    CHECK(decoded<CsatFrame>(R"({"type":"csat","score":)" + std::to_string(score) + "}").score ==
          score);
  const auto rated = decoded<CsatFrame>(R"({"type":"csat","score":4,"comment":"thanks"})");
  CHECK(rated.comment == "thanks");
  for (const char* bad :
       {R"({"type":"csat"})", R"({"type":"csat","score":0})", R"({"type":"csat","score":6})",
        R"({"type":"csat","score":9})", R"({"type":"csat","score":-3})",
        R"({"type":"csat","score":4.5})", R"({"type":"csat","score":"5"})",
        R"({"type":"csat","score":18446744073709551615})",
        R"({"type":"csat","score":4,"comment":1})"})
    CHECK(code_of(bad) == "bad_field");
  CHECK(code_of(R"({"type":"csat","score":4,"comment":"123456789"})") == "too_large");

  CHECK(decoded<TranscriptFrame>(R"({"type":"transcript","email":"a@b.example"})").email ==
        "a@b.example");
  for (const char* bad :
       {R"({"type":"transcript"})", R"({"type":"transcript","email":"nobody"})",
        R"({"type":"transcript","email":"a@b@c"})", R"({"type":"transcript","email":"a b@c.d"})",
        R"({"type":"transcript","email":"a@b.example\r\nBcc: x@y.z"})"})
    CHECK(code_of(bad) == "bad_field");

  decoded<PingFrame>(R"({"type":"ping","id":"p1","whatever":{}})");
}

TEST_CASE("what is not a JSON object is bad_json") {
  // Invalid UTF-8 (a stray byte, a cut sequence, a lone surrogate escape) is malformed JSON.
  for (const std::string& bad :
       std::vector<std::string>{"", "{", "not json", "[]", R"([{"type":"ping"}])", "\"ping\"", "42",
                                "null", R"({"type":"ping"} {"type":"ping"})",
                                "{\"type\":\"message\",\"id\":\"m\",\"text\":\"\xff\xfe\"}",
                                "{\"type\":\"message\",\"id\":\"m\",\"text\":\"\xc3\"}",
                                R"({"type":"message","id":"m","text":"\ud800"})"}) {
    const auto error = refused(bad);
    CHECK(error.code == "bad_json");
    CHECK(error.id.empty());
  }
}

TEST_CASE("the type: missing, not a string, or unknown") {
  CHECK(code_of(R"({})") == "bad_field");
  CHECK(code_of(R"({"type":1})") == "bad_field");
  CHECK(code_of(R"({"type":"Hello"})") == "unknown_type");
  const auto unknown = refused(R"({"type":"subscribe","id":"s-1"})");
  CHECK(unknown.code == "unknown_type");
  CHECK(unknown.id == "s-1");
  CHECK(unknown.message.find("subscribe") != std::string::npos);
  // A usable id of any frame is echoed; an unusable one is not.
  CHECK(refused(R"({"type":"csat","id":"c1","score":9})").id == "c1");
  CHECK(refused(R"({"type":"csat","id":"c 1","score":9})").id.empty());
}

TEST_CASE("encode_error is a JSON error frame, with the id only when there is one") {
  const json with_id = json::parse(encode_error({"too_large", "text is too long", "m1"}));
  CHECK(with_id == json{{"type", "error"},
                        {"code", "too_large"},
                        {"message", "text is too long"},
                        {"id", "m1"}});
  const json without = json::parse(encode_error({"bad_json", "not JSON", ""}));
  CHECK_FALSE(without.contains("id"));
  // Bytes that are not UTF-8 in a message never make the frame invalid JSON.
  const json repaired = json::parse(encode_error({"bad_field", "bad \xff\xc3 byte", ""}));
  CHECK(repaired["message"] == "bad \xef\xbf\xbd\xef\xbf\xbd byte");
}

TEST_CASE("plausible_email") {
  for (const char* good : {"a@b", "vera.m+chat@example.co.uk", "\xc3\xa4@example.de"})
    CHECK(plausible_email(good));
  for (const std::string& bad : std::vector<std::string>{
           "", "@", "a@", "@b", "ab", "a@b@c", "a b@c", "a@.b", "a@b.", "a<b@c", "a@b,c", "a@b;c",
           "\"a\"@b", "a\\b@c", "a@b\x7f", "a@b\n", std::string(250, 'a') + "@b.cd"})
    CHECK_FALSE(plausible_email(bad));
  CHECK(plausible_email(std::string(249, 'a') + "@b.cd"));  // 254 bytes
}
