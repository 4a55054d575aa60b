// Asking Twilio about messages we sent: "is this reply already there?" (searching the message
// list, before a re-send whose earlier attempt may have got through) and "what is its status
// now?" (fetching one message, when its status callbacks were lost).
// https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
// https://www.twilio.com/docs/messaging/api/message-resource#fetch-a-message-resource
#pragma once

#include "sms_config.hpp"

#include <omnigate/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::sms {

// Messages we created are matched on what Twilio echoes back in the resource: direction
// outbound-api, `to`, `from`, `body`, `num_media`, and `date_created` no earlier than the
// reply's enqueue time minus this allowance for the two clocks disagreeing.
constexpr int64_t kLookupClockSkewMs = 60 * 1000;
constexpr int kLookupPageSize = 100;
constexpr int kLookupMaxPages = 5;

// GET {api_base}/2010-04-01/Accounts/{sid}/Messages.json?To=…&From=…&PageSize=100. Throws
// PermanentError when the message has no recipient or sender (it could never have been sent).
FetchRequest build_lookup_request(const SmsConfig& config, const OutboundMessage& message);
// GET {api_base}{next_page_uri}: Twilio's next_page_uri is a path with its query.
FetchRequest build_page_request(const SmsConfig& config, std::string_view next_page_uri);
// GET {api_base}/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json
FetchRequest build_fetch_request(const SmsConfig& config, std::string_view message_sid);

// What one page of the list says about the message we look for.
struct LookupPage {
  enum class Kind {
    found,      // `sid` is our message
    next_page,  // not on this page; read `next_page_uri`
    not_found,  // not in the list (no further page, or the list went past the window)
    error,      // the answer was not a readable list page: cannot tell (`result` says why)
  };
  Kind kind = Kind::error;
  std::string sid;
  std::string next_page_uri;
  SendResult result;  // for error: RETRY with the provider's code/text and Retry-After
};
// Messages whose sid is in `taken` (other replies' ids) are never ours.
LookupPage read_lookup_page(const FetchResponse& response, const OutboundMessage& message,
                            int64_t enqueued_at_ms, const std::vector<std::string>& taken);

// The status in a fetched Message resource, as a delivery report (raw = the JSON). nullopt when
// the answer is not a resource with a known status; `why` then says what it was.
std::optional<DeliveryReport> read_message_status(const FetchResponse& response, std::string& why);

// Twilio's RFC 2822 date ("Wed, 02 Dec 2026 00:53:01 +0000") in Unix ms; nullopt if unreadable.
std::optional<int64_t> parse_twilio_date(std::string_view text);

// Whether a reply accepted at sent_at_ms is due for a status poll in a scan covering the time
// (previous_scan_ms, now_ms]: polls happen when its age crosses after_ms, 2·after_ms,
// 4·after_ms… (so a message that never settles costs a handful of requests, not one per scan),
// and on the first scan after start (previous_scan_ms == 0) for every message already past
// after_ms.
bool reconcile_due(int64_t sent_at_ms, int64_t previous_scan_ms, int64_t now_ms, int64_t after_ms);

}  // namespace omnigate::sms
