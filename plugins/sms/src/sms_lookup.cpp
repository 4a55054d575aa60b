#include "sms_lookup.hpp"

#include "sms_outbound.hpp"
#include "sms_status.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_rest.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>

namespace omnigate::sms {
namespace {

using nlohmann::json;

FetchRequest api_get(const SmsConfig& config, std::string url) {
  FetchRequest r;
  r.method = "GET";
  r.url = std::move(url);
  r.headers = {{"Accept", "application/json"}};
  r.basic_auth_user = config.account_sid;
  r.basic_auth_password = config.auth_token;
  r.timeout_ms = config.timeout_ms;
  r.allow_private = config.allow_private_api;
  return r;
}

std::string messages_url(const SmsConfig& config) {
  return config.api_base + "/2010-04-01/Accounts/" + config.account_sid + "/Messages";
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return {};
}

std::size_t media_count(const OutboundMessage& message) {
  std::size_t n = 0;
  for (const auto& a : message.attachments)
    if (!a.url.empty()) ++n;
  return n;
}

// The error answer of a list or fetch request as a RETRY result (the caller cannot tell).
SendResult cannot_tell(const FetchResponse& response) {
  SendResult r = twilio::read_create_answer(response);
  if (r.status == OG_OK) {  // 2xx, but not what we asked for
    r = SendResult{};
    r.error_text = "provider answer is not a message list";
  }
  r.status = OG_RETRY;
  r.provider_message_id.clear();
  return r;
}

}  // namespace

FetchRequest build_lookup_request(const SmsConfig& config, const OutboundMessage& message) {
  if (message.to_address.empty()) throw PermanentError("To: the message has no recipient number");
  const std::string& from =
      message.from_address.empty() ? config.from_number : message.from_address;
  if (from.empty()) throw PermanentError("From: no sender number");
  // No DateSent filter: a message Twilio has not sent yet has date_sent null and would be left
  // out, and DateSent has only day precision anyway. The window is checked on date_created.
  const form::Fields query{
      {"To", message.to_address}, {"From", from}, {"PageSize", std::to_string(kLookupPageSize)}};
  return api_get(config, messages_url(config) + ".json?" + form::encode(query));
}

FetchRequest build_page_request(const SmsConfig& config, std::string_view next_page_uri) {
  return api_get(config, config.api_base + std::string(next_page_uri));
}

FetchRequest build_fetch_request(const SmsConfig& config, std::string_view message_sid) {
  return api_get(config,
                 messages_url(config) + "/" + form::encode_component(message_sid) + ".json");
}

LookupPage read_lookup_page(const FetchResponse& response, const OutboundMessage& message,
                            int64_t enqueued_at_ms, const std::vector<std::string>& taken) {
  LookupPage page;
  if (response.http_status != 200) {
    page.result = cannot_tell(response);
    return page;
  }
  const json j = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array()) {
    page.result = cannot_tell(response);
    return page;
  }
  const std::string& from = message.from_address;  // empty: matched against any sender
  const std::string media = std::to_string(media_count(message));
  const int64_t not_before = enqueued_at_ms - kLookupClockSkewMs;
  bool older_than_window = false;  // the list is newest first: later pages are older still
  for (const auto& m : j["messages"]) {
    if (!m.is_object()) continue;
    const auto created = parse_twilio_date(string_field(m, "date_created"));
    if (created && *created < not_before) {
      older_than_window = true;
      continue;
    }
    if (!string_field(m, "direction").starts_with("outbound")) continue;
    if (string_field(m, "to") != message.to_address) continue;
    if (!from.empty() && string_field(m, "from") != from) continue;
    if (string_field(m, "body") != message.body_text) continue;
    if (string_field(m, "num_media") != media) continue;
    const std::string sid = string_field(m, "sid");
    if (sid.empty() || std::find(taken.begin(), taken.end(), sid) != taken.end()) continue;
    page.kind = LookupPage::Kind::found;
    page.sid = sid;
    return page;
  }
  page.next_page_uri = string_field(j, "next_page_uri");
  page.kind = (page.next_page_uri.empty() || older_than_window) ? LookupPage::Kind::not_found
                                                                : LookupPage::Kind::next_page;
  return page;
}

std::optional<DeliveryReport> read_message_status(const FetchResponse& response, std::string& why) {
  if (response.http_status != 200) {
    why = cannot_tell(response).error_text;
    if (why.empty()) why = "HTTP " + std::to_string(response.http_status);
    return std::nullopt;
  }
  const json j = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    why = "answer is not a JSON object";
    return std::nullopt;
  }
  const std::string sid = string_field(j, "sid");
  const std::string status = string_field(j, "status");
  const auto state = delivery_state(status);
  if (sid.empty() || !state) {
    why = "no sid or no outbound delivery status ('" + status + "')";
    return std::nullopt;
  }
  DeliveryReport r;
  r.provider_message_id = sid;
  r.state = *state;
  r.error_code = string_field(j, "error_code");
  r.error_text = string_field(j, "error_message");
  if (r.error_text.empty() && status == "canceled") r.error_text = "canceled";
  r.raw = response.body;
  return r;
}

std::optional<int64_t> parse_twilio_date(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string s(text);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S %z", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const long offset = tm.tm_gmtoff;  // set from %z; timegm() reads the fields as UTC
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return (static_cast<int64_t>(t) - offset) * 1000;
}

bool reconcile_due(int64_t sent_at_ms, int64_t previous_scan_ms, int64_t now_ms, int64_t after_ms) {
  if (after_ms <= 0) return false;
  const int64_t age = now_ms - sent_at_ms;
  if (age < after_ms) return false;
  if (previous_scan_ms <= 0) return true;
  const int64_t previous_age = previous_scan_ms - sent_at_ms;
  for (int64_t threshold = after_ms; threshold <= age; threshold *= 2)
    if (threshold > previous_age) return true;
  return false;
}

}  // namespace omnigate::sms
