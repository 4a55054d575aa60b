// Inputs as the plugin host hands them to a plugin, owning the bytes the ABI structs borrow.
#pragma once

#include "isolation/input_in_flight.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::isolation::test {

using namespace std::string_literals;

inline og_str view(const std::string& s) {
  return og_str{s.data(), s.size()};
}

// A webhook request: headers (one with a non-UTF-8 value) and a body with a NUL and bytes that
// are not UTF-8, since the crash record and the raw JSON must keep every byte.
struct SampleHttp {
  std::string instance = "sms-broken";
  std::string method = "POST";
  std::string target = "/channels/sms-broken/inbound?x=1";
  std::string path = "/inbound";
  std::string query = "x=1";
  std::vector<std::pair<std::string, std::string>> header_text = {
      {"Host", "gateway.example"},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"X-Twilio-Signature", "abc+/="},
      {"X-Odd", "caf\xE9"s}};
  std::string body = "id=SM1&text=CRASH\0\xFF\xFE\x80tail"s;
  std::string remote_addr = "127.0.0.1";
  std::vector<og_header> headers;
  og_http_request request{};
  InputInFlight input;

  SampleHttp() { rebuild(); }
  SampleHttp(const SampleHttp&) = delete;
  // After changing any field.
  void rebuild() {
    headers.clear();
    for (const auto& [n, v] : header_text)
      headers.push_back(og_header{sizeof(og_header), view(n), view(v)});
    request = og_http_request{};
    request.struct_size = sizeof request;
    request.request_id = 7;
    request.method = view(method);
    request.target = view(target);
    request.path = view(path);
    request.query = view(query);
    request.headers = headers.empty() ? nullptr : headers.data();
    request.header_count = headers.size();
    request.body = view(body);
    request.remote_addr = view(remote_addr);
    input = InputInFlight{};
    input.instance = instance.c_str();
    input.kind = InputKind::http;
    input.http = &request;
  }
};

struct SampleWs {
  std::string instance = "chat";
  std::string path = "/ws";
  std::string frame = "{\"text\":\"CRASH\"}\0\xC3"s;
  InputInFlight input;

  SampleWs() {
    input.instance = instance.c_str();
    input.kind = InputKind::ws;
    input.ws_path = view(path);
    input.ws_frame = view(frame);
    input.ws_is_text = 1;
  }
  SampleWs(const SampleWs&) = delete;
};

struct SampleOutbox {
  std::string instance = "sms";
  InputInFlight input;

  SampleOutbox() {
    input.instance = instance.c_str();
    input.kind = InputKind::outbox;
    input.outbox_id = 9007199254740993;  // above 2^53: must not pass through a double
  }
  SampleOutbox(const SampleOutbox&) = delete;
};

}  // namespace omnigate::isolation::test
