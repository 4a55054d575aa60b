// The SMS channel plugin: Twilio-compatible webhooks in, Twilio REST API out.
// Routes (mounted by the host under /channels/<instance>):
//   POST /sms     incoming message webhook → submit_inbound, answered with empty TwiML
//   POST /status  message status callback  → submit_delivery, answered 200 with no body
// Before a re-send (lookup_send) it searches Twilio's message list for the reply; every
// reconcile interval it fetches the status of replies whose callbacks never came.
#include "sms_config.hpp"
#include "sms_inbound.hpp"
#include "sms_lookup.hpp"
#include "sms_outbound.hpp"
#include "sms_status.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_rest.hpp>
#include <omnigate/common/twilio_signature.hpp>
#include <omnigate/plugin.hpp>

#include <chrono>
#include <deque>
#include <memory>

namespace omnigate::sms {
namespace {

constexpr std::string_view kEmptyTwiml =
    R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)";

HttpResponse text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

class SmsPlugin final : public Plugin {
 public:
  explicit SmsPlugin(const PluginContext& context)
      : Plugin(context), config_(parse_config(context.config_json)), signer_(config_.auth_token) {
    if (config_.status_callback)
      status_callback_url_ =
          config_.public_base_url + "/channels/" + context.instance_name + "/status";
    host().route("POST", "/sms", [this](const HttpRequest& r) { return on_inbound(r); });
    host().route("POST", "/status", [this](const HttpRequest& r) { return on_status(r); });
    if (!config_.validate_signature)
      host().warn(
          "validate_signature = false: webhooks are accepted without checking who sent them");
  }

  void send(uint64_t ticket, const OutboundMessage& message) override {
    FetchRequest request = build_send_request(config_, message, status_callback_url_);
    host().fetch(request, [this, ticket](const FetchResponse& response) {
      SendResult result = twilio::read_create_answer(response);
      if (result.status != OG_OK)
        host().warn("send failed (ticket " + std::to_string(ticket) + "): " + result.error_code +
                    " " + result.error_text);
      host().send_result(ticket, result);
    });
  }

  // Real Twilio ignores Idempotency-Key, so a re-send after a lost answer would reach the
  // customer twice: search the list of messages to this customer from our number instead.
  bool lookup_send(uint64_t ticket, const OutboundMessage& message,
                   const SendLookup& lookup) override {
    auto search = std::make_shared<Search>();
    search->ticket = ticket;
    search->message = message;
    if (search->message.from_address.empty()) search->message.from_address = config_.from_number;
    // Without a recipient or a sender no attempt could have been sent: let the send fail.
    if (search->message.to_address.empty() || search->message.from_address.empty()) return false;
    search->enqueued_at_ms = lookup.enqueued_at_ms;
    search->taken = lookup.taken_ids;
    read_page(search, build_lookup_request(config_, search->message));
    return true;
  }

  void start() override {
    if (config_.reconcile_after_ms == 0) return;
    if (!host().can_list_unsettled_sends()) {
      host().warn("the gateway cannot list unsettled sends (ABI 1.0): reconcile is off");
      return;
    }
    reconcile_timer_ = host().set_timer(reconcile_interval_ms());
  }

  void stop() override { reconcile_stopped_ = true; }

  void on_timer(uint64_t timer_id) override {
    if (timer_id != reconcile_timer_ || reconcile_stopped_) return;
    reconcile_timer_ = 0;
    try {
      scan_unsettled();
    } catch (const Error& e) {  // store busy, instance stopping: try again next interval
      host().warn(std::string("reconcile scan failed: ") + e.what());
      due_.clear();
      rearm();
    }
  }

 private:
  struct Search {
    uint64_t ticket = 0;
    OutboundMessage message;  // from_address filled in as the send would
    int64_t enqueued_at_ms = 0;
    std::vector<std::string> taken;  // other replies' sids: never ours
    int pages = 0;
  };

  void read_page(const std::shared_ptr<Search>& search, const FetchRequest& request) {
    host().fetch(request, [this, search](const FetchResponse& response) {
      const LookupPage page =
          read_lookup_page(response, search->message, search->enqueued_at_ms, search->taken);
      SendResult result;
      switch (page.kind) {
        case LookupPage::Kind::found:
          host().info("ticket " + std::to_string(search->ticket) + ": Twilio already has it as " +
                      page.sid);
          result.status = OG_OK;
          result.provider_message_id = page.sid;
          break;
        case LookupPage::Kind::not_found:
          result.status = OG_NOT_FOUND;
          break;
        case LookupPage::Kind::next_page:
          if (++search->pages < kLookupMaxPages) {
            read_page(search, build_page_request(config_, page.next_page_uri));
            return;
          }
          result.status = OG_RETRY;
          result.error_text = "more than " + std::to_string(kLookupMaxPages * kLookupPageSize) +
                              " recent messages to this number: cannot tell";
          break;
        case LookupPage::Kind::error:
          result = page.result;
          host().warn("lookup failed (ticket " + std::to_string(search->ticket) +
                      "): " + result.error_code + " " + result.error_text);
          break;
      }
      host().send_result(search->ticket, result);
    });
  }

  uint32_t reconcile_interval_ms() const {
    // Often enough that a reply is polled soon after it becomes due, never more than a minute
    // apart: reconcile_due() spaces the polls of one reply out, not this timer.
    return static_cast<uint32_t>(std::min<long long>(config_.reconcile_after_ms, 60 * 1000));
  }

  static int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // One scan: list the replies past reconcile_after_ms and younger than reconcile_max_age_ms,
  // then fetch the due ones one after another (one request at a time, well inside Twilio's
  // concurrency limits); the next scan is scheduled when the last one has answered.
  void scan_unsettled() {
    const int64_t now = wall_ms();
    constexpr int32_t kBatch = 500;
    int64_t after_id = 0;
    for (;;) {
      auto batch = host().list_unsettled_sends(now - config_.reconcile_max_age_ms,
                                               now - config_.reconcile_after_ms, after_id, kBatch);
      if (!batch) break;
      for (const auto& send : *batch)
        if (reconcile_due(send.sent_at_ms, previous_scan_ms_, now, config_.reconcile_after_ms))
          due_.push_back(send);
      if (batch->size() < static_cast<std::size_t>(kBatch)) break;
      after_id = batch->back().outbox_id;
    }
    previous_scan_ms_ = now;
    poll_next();
  }

  void rearm() {
    if (reconcile_stopped_) return;
    try {
      reconcile_timer_ = host().set_timer(reconcile_interval_ms());
    } catch (const Error& e) {
      host().warn(std::string("reconcile stopped: ") + e.what());
    }
  }

  void poll_next() {
    if (reconcile_stopped_) return;
    if (due_.empty()) {
      rearm();
      return;
    }
    const UnsettledSend send = due_.front();
    due_.pop_front();
    try {
      fetch_status(send);
    } catch (const Error& e) {
      host().warn(std::string("reconcile: cannot fetch a status: ") + e.what());
      due_.clear();
      rearm();
    }
  }

  void fetch_status(const UnsettledSend& send) {
    host().fetch(build_fetch_request(config_, send.provider_message_id),
                 [this, send](const FetchResponse& response) {
                   std::string why;
                   auto report = read_message_status(response, why);
                   if (!report) {
                     host().warn("status of " + send.provider_message_id + " not readable: " + why);
                   } else if (report->state != send.state) {
                     // The same path as a status callback: the transcript shows the change.
                     host().submit_delivery(0, *report);
                   }
                   poll_next();
                 });
  }

  // Signature over public_base_url + the request target exactly as received, with the POST
  // fields: that is the URL Twilio was configured with, provided public_base_url is right.
  bool signature_ok(const HttpRequest& request, const form::Fields& fields) const {
    if (!config_.validate_signature) return true;
    auto signature = request.header("X-Twilio-Signature");
    if (!signature) return false;
    std::string url = config_.public_base_url + std::string(request.target);
    return signer_.matches(url, fields, *signature);
  }

  HttpResponse on_inbound(const HttpRequest& request) {
    form::ParseResult parsed = form::parse(request.body);
    if (!signature_ok(request, parsed.fields)) return forbidden(request);
    auto mapped = map_inbound(config_, parsed.fields, request.body, parsed.malformed);
    if (auto* rejection = std::get_if<InboundRejection>(&mapped))
      return text(400, rejection->message);
    auto& message = std::get<InboundMessage>(mapped);
    if (parsed.malformed)
      host().warn("inbound " + message.provider_message_id +
                  " stored as malformed: " + parsed.problem);
    // The host holds this answer until the message is committed (503 if the commit fails, so
    // Twilio retries; a retry with the same MessageSid is deduplicated by the store).
    host().submit_inbound(request.id, message);
    return HttpResponse{200, "text/xml", std::string(kEmptyTwiml), {}};
  }

  HttpResponse on_status(const HttpRequest& request) {
    form::ParseResult parsed = form::parse(request.body);
    if (!signature_ok(request, parsed.fields)) return forbidden(request);
    auto mapped = map_status(parsed.fields, request.body);
    if (auto* rejection = std::get_if<StatusRejection>(&mapped))
      return text(400, rejection->message);
    host().submit_delivery(request.id, std::get<DeliveryReport>(mapped));
    return HttpResponse{200, "text/plain", "", {}};
  }

  HttpResponse forbidden(const HttpRequest& request) const {
    host().warn("rejected webhook " + std::string(request.path) + " from " +
                std::string(request.remote_addr) +
                ": X-Twilio-Signature missing or wrong (check public_base_url and auth_token)");
    return text(403, "invalid X-Twilio-Signature");
  }

  SmsConfig config_;
  twilio::RequestSigner signer_;     // keyed with config_.auth_token once, for every webhook
  std::string status_callback_url_;  // empty when status callbacks are off
  uint64_t reconcile_timer_ = 0;
  bool reconcile_stopped_ = false;
  int64_t previous_scan_ms_ = 0;   // 0 until the first scan: that one polls every due reply
  std::deque<UnsettledSend> due_;  // replies this scan still has to poll
};

}  // namespace
}  // namespace omnigate::sms

OMNIGATE_PLUGIN(omnigate::sms::SmsPlugin, "sms", "1.0.0", "sms",
                "Twilio-compatible SMS/MMS: inbound webhooks, outbound REST API, status callbacks",
                omnigate::sms::kConfigSchemaJson)
