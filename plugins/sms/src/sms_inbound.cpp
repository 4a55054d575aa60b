#include "sms_inbound.hpp"

#include "omnigate/common/json_object_writer.hpp"

#include <charconv>
#include <cstdint>
#include <utility>

namespace omnigate::sms {
namespace {

// Provider fields worth keeping with the message (the rest is in `raw`).
constexpr std::string_view kKeptFields[] = {"AccountSid",      "MessagingServiceSid",
                                            "NumSegments",     "NumMedia",
                                            "ApiVersion",      "FromCity",
                                            "FromState",       "FromZip",
                                            "FromCountry",     "ToCity",
                                            "ToState",         "ToZip",
                                            "ToCountry",       "SmsStatus",
                                            "ReferralNumMedia"};

std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string thread_key(std::string_view customer_number, std::string_view our_number) {
  std::string key(customer_number);
  key += '|';
  key += our_number;
  return key;
}

std::variant<InboundMessage, InboundRejection> map_inbound(const SmsConfig& config,
                                                           const form::Fields& fields,
                                                           std::string_view raw_body,
                                                           bool malformed) {
  auto required = [&](std::string_view name) -> std::optional<std::string_view> {
    auto v = form::find(fields, name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  auto sid = required("MessageSid");
  if (!sid) sid = required("SmsMessageSid");  // older webhook spelling of the same id
  if (!sid) return InboundRejection{"MessageSid: missing"};
  auto from = required("From");
  if (!from) return InboundRejection{"From: missing"};
  auto to = required("To");
  if (!to && !malformed) return InboundRejection{"To: missing"};

  InboundMessage m;
  m.provider_message_id = *sid;
  m.from_kind = "phone";
  m.from_address = *from;
  m.to_address = to ? std::string(*to) : std::string();
  m.thread_key = thread_key(*from, m.to_address);
  m.body_text = form::find(fields, "Body").value_or("");
  if (m.body_text.size() > config.max_body_bytes)
    return InboundRejection{"Body: longer than max_body_bytes (" +
                            std::to_string(config.max_body_bytes) + ")"};
  m.skills = config.skills;
  m.priority = config.default_priority;
  m.raw = raw_body;
  m.malformed = malformed;

  json_text::ObjectWriter meta;
  for (auto name : kKeptFields)
    if (auto v = form::find(fields, name)) meta.add(name, *v);

  std::size_t num_media = 0;
  if (auto n = form::find(fields, "NumMedia"); n && !n->empty()) {
    auto count = parse_count(*n);
    if (!count) return InboundRejection{"NumMedia: not a non-negative integer"};
    num_media = *count;
  }
  // Keep what the limit allows, and say in the metadata what was left out, rather than
  // refusing a customer's message over its attachments.
  std::size_t kept = std::min(num_media, config.max_media);
  for (std::size_t i = 0; i < kept; ++i) {
    std::string index = std::to_string(i);
    auto url = form::find(fields, "MediaUrl" + index);
    if (!url || url->empty()) return InboundRejection{"MediaUrl" + index + ": missing"};
    Attachment a;
    a.url = *url;
    a.content_type = form::find(fields, "MediaContentType" + index).value_or("");
    m.attachments.push_back(std::move(a));
  }
  if (kept < num_media) meta.add("media_dropped", std::uint64_t{num_media - kept});
  if (m.body_text.empty() && m.attachments.empty() && !malformed)
    return InboundRejection{"Body: missing (and NumMedia is 0)"};
  // Carriers' bytes are not always UTF-8 (a Latin-1 city name): the writer shows them as
  // U+FFFD, never a 500 that Twilio would retry forever.
  m.metadata_json = meta.finish();
  return m;
}

}  // namespace omnigate::sms
