// The SMS channel plugin: Twilio-compatible webhooks in, Twilio REST API out.
// Routes (mounted by the host under /channels/<instance>):
//   POST /sms     incoming message webhook → submit_inbound, answered with empty TwiML
//   POST /status  message status callback  → submit_delivery, answered 200 with no body
#include "sms_config.hpp"
#include "sms_inbound.hpp"
#include "sms_outbound.hpp"
#include "sms_status.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_signature.hpp>
#include <omnigate/plugin.hpp>

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
      SendResult result = interpret_send_response(response);
      if (result.status != OG_OK)
        host().warn("send failed (ticket " + std::to_string(ticket) + "): " + result.error_code +
                    " " + result.error_text);
      host().send_result(ticket, result);
    });
  }

 private:
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
};

}  // namespace
}  // namespace omnigate::sms

OMNIGATE_PLUGIN(omnigate::sms::SmsPlugin, "sms", "1.0.0", "sms",
                "Twilio-compatible SMS/MMS: inbound webhooks, outbound REST API, status callbacks",
                omnigate::sms::kConfigSchemaJson)
