#include "isolation/input_in_flight.hpp"

#include "core/sha256.hpp"
#include "sample_inputs.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

using namespace omnigate;
using namespace omnigate::isolation;
using namespace std::string_literals;
using isolation::test::SampleHttp;
using isolation::test::SampleOutbox;
using isolation::test::SampleWs;

TEST_CASE("input kinds have the shared names", "[isolation]") {
  CHECK(std::string(to_string(InputKind::http)) == "http");
  CHECK(std::string(to_string(InputKind::ws)) == "ws");
  CHECK(std::string(to_string(InputKind::outbox)) == "outbox");
}

TEST_CASE("an input scope is per thread and restores the outer input", "[isolation]") {
  SampleHttp http;
  SampleOutbox outbox;
  REQUIRE(current_input() == nullptr);
  {
    InputScope outer(http.input);
    CHECK(current_input() == &http.input);
    {
      InputScope inner(outbox.input);
      CHECK(current_input() == &outbox.input);
      const InputInFlight* seen_elsewhere = &http.input;
      std::thread([&] { seen_elsewhere = current_input(); }).join();
      CHECK(seen_elsewhere == nullptr);
    }
    CHECK(current_input() == &http.input);
  }
  CHECK(current_input() == nullptr);
}

TEST_CASE("capture copies every byte of the request handed to the plugin", "[isolation]") {
  SampleHttp http;
  const CapturedInput c = CapturedInput::capture(http.input);
  CHECK(c.instance == "sms-broken");
  CHECK(c.kind == InputKind::http);
  CHECK(c.method == "POST");
  CHECK(c.target == http.target);
  CHECK(c.path == "/inbound");
  CHECK(c.headers == http.header_text);
  CHECK(c.body == http.body);
  CHECK(c.body.size() == 25);
  CHECK(c.remote_addr == "127.0.0.1");
}

TEST_CASE("the input key follows the shared definition", "[isolation]") {
  SampleHttp http;
  const std::string expected_http = sha256_hex("sms-broken\0http\0POST\0/inbound\0"s + http.body);
  CHECK(CapturedInput::capture(http.input).key() == expected_http);

  SampleWs ws;
  const std::string expected_ws = sha256_hex("chat\0ws\0/ws\0"s + ws.frame);
  CHECK(CapturedInput::capture(ws.input).key() == expected_ws);

  SampleOutbox outbox;
  CHECK(CapturedInput::capture(outbox.input).key() == "outbox:9007199254740993");
}

TEST_CASE("a provider's retry has the same key; another body or instance does not", "[isolation]") {
  SampleHttp first, retry;
  retry.target = "/channels/sms-broken/inbound?x=2";  // query, headers, peer may differ
  retry.header_text.emplace_back("I-Twilio-Idempotency-Token", "retry-1");
  retry.remote_addr = "10.0.0.9";
  retry.rebuild();
  const std::string key = CapturedInput::capture(first.input).key();
  CHECK(CapturedInput::capture(retry.input).key() == key);

  SampleHttp other_body;
  other_body.body = "id=SM2&text=hello";
  other_body.rebuild();
  CHECK(CapturedInput::capture(other_body.input).key() != key);

  SampleHttp other_instance;
  other_instance.instance = "sms-2";
  other_instance.rebuild();
  CHECK(CapturedInput::capture(other_instance.input).key() != key);
}

TEST_CASE("raw JSON round-trips every kind exactly", "[isolation]") {
  SampleHttp http;
  SampleWs ws;
  SampleOutbox outbox;
  for (const InputInFlight* in : {&http.input, &ws.input, &outbox.input}) {
    const CapturedInput c = CapturedInput::capture(*in);
    const std::string raw = c.raw_json();
    INFO(raw);
    const auto back = CapturedInput::from_raw_json(raw);
    REQUIRE(back.has_value());
    CHECK(*back == c);
    CHECK(back->key() == c.key());
  }
}

TEST_CASE("raw JSON of an http input has the documented fields", "[isolation]") {
  SampleHttp http;
  const auto j = nlohmann::json::parse(CapturedInput::capture(http.input).raw_json());
  CHECK(j.at("kind") == "http");
  CHECK(j.at("instance") == "sms-broken");
  CHECK(j.at("method") == "POST");
  CHECK(j.at("path") == "/inbound");
  CHECK(j.at("headers").at(0) == nlohmann::json::array({"Host", "gateway.example"}));
  // Not UTF-8: carried as base64 instead of being replaced.
  CHECK(j.at("headers").at(3).at(1) == nlohmann::json{{"base64", "Y2Fm6Q=="}});
  CHECK(j.at("body_base64").is_string());
  CHECK(j.at("remote_addr") == "127.0.0.1");

  SampleWs ws;
  const auto w = nlohmann::json::parse(CapturedInput::capture(ws.input).raw_json());
  CHECK(w.at("kind") == "ws");
  CHECK(w.at("path") == "/ws");
  CHECK(w.at("is_text") == true);
  CHECK(w.at("frame_base64").is_string());

  SampleOutbox outbox;
  const auto o = nlohmann::json::parse(CapturedInput::capture(outbox.input).raw_json());
  CHECK(o.at("kind") == "outbox");
  CHECK(o.at("outbox_id").get<int64_t>() == 9007199254740993);
}

TEST_CASE("raw JSON that is not a captured input is refused", "[isolation]") {
  for (const char* bad :
       {"", "[]", "{", "{\"kind\":\"http\"}", "{\"kind\":\"smtp\",\"instance\":\"x\"}",
        "{\"kind\":\"outbox\",\"instance\":\"x\",\"outbox_id\":\"1\"}",
        "{\"kind\":\"outbox\",\"instance\":\"x\",\"outbox_id\":18446744073709551615}",
        "{\"kind\":\"ws\",\"instance\":\"x\",\"path\":\"/ws\",\"frame_base64\":"
        "\"not base64!\",\"is_text\":true}",
        "{\"kind\":\"ws\",\"instance\":\"x\",\"path\":\"/ws\",\"frame_base64\":"
        "\"YQ\",\"is_text\":true}",
        "{\"kind\":\"http\",\"instance\":\"x\",\"method\":\"GET\",\"target\":\"/\","
        "\"path\":\"/\",\"headers\":[[\"a\"]],\"body_base64\":\"\","
        "\"remote_addr\":\"\"}"}) {
    INFO(bad);
    CHECK_FALSE(CapturedInput::from_raw_json(bad).has_value());
  }
}
