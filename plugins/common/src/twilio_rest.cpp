#include <omnigate/common/twilio_rest.hpp>

#include <nlohmann/json.hpp>

#include <charconv>

namespace omnigate::twilio {
namespace {

// Retry-After in seconds (Twilio sends delta-seconds); HTTP dates are left to the host backoff.
int retry_after_ms(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!detail::iequals(name, "Retry-After")) continue;
    int seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0 &&
        seconds <= 24 * 3600)
      return seconds * 1000;
  }
  return 0;
}

// Twilio's error body: {"code": 21211, "message": "...", "more_info": "...", "status": 400}.
void read_error_body(std::string_view body, SendResult& r) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  if (auto c = j.find("code"); c != j.end()) {
    if (c->is_number_integer()) r.error_code = std::to_string(c->get<long long>());
    if (c->is_string()) r.error_code = c->get<std::string>();
  }
  if (auto m = j.find("message"); m != j.end() && m->is_string())
    r.error_text = m->get<std::string>();
}

std::string summary(int status, std::string_view body) {
  constexpr std::size_t kMaxQuoted = 200;  // enough to recognise the error, bounded for logs
  std::string s = "provider answered HTTP " + std::to_string(status);
  if (!body.empty()) s += ": " + std::string(body.substr(0, kMaxQuoted));
  return s;
}

}  // namespace

SendResult read_create_answer(const FetchResponse& response) {
  SendResult r;
  const int status = response.http_status;
  if (status == 0) {
    r.status = OG_RETRY;
    r.error_text = "transport error: " + response.error;
    return r;
  }
  if (status >= 200 && status < 300) {
    auto j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("sid") && j["sid"].is_string() &&
        !j["sid"].get<std::string>().empty()) {
      r.status = OG_OK;
      r.provider_message_id = j["sid"].get<std::string>();
      return r;
    }
    // The provider accepted something but we cannot tell what: retrying could send the message
    // twice (real Twilio has no idempotency key), so report it for a human to check.
    r.status = OG_PERMANENT;
    r.error_text = "provider accepted the request but its answer has no sid: " +
                   summary(status, response.body);
    return r;
  }
  read_error_body(response.body, r);
  if (r.error_text.empty()) r.error_text = summary(status, response.body);
  if (status == 429 || status >= 500) {
    r.status = OG_RETRY;
    r.retry_after_ms = retry_after_ms(response.headers);
  } else {
    r.status = OG_PERMANENT;
  }
  if (r.error_code.empty()) r.error_code = "http-" + std::to_string(status);
  return r;
}

}  // namespace omnigate::twilio
