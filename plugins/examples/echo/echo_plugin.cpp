// The smallest useful channel plugin, walked through in docs/plugin-guide.md.
//
// Inbound: POST /channels/<instance>/messages with the customer's text as the body and the
// headers X-Echo-From (who writes) and X-Echo-Message-Id (the provider's id, for dedupe).
// The plugin normalises that into an inbound message and submits it; the host answers the
// HTTP request only after the message is committed.
// Outbound: an agent's reply is "delivered" by echoing it into the log, and reported sent
// at once with a provider id derived from the idempotency key (so a retried row gets the
// same id — what a real provider's idempotency key buys you).
#include <omnigate/plugin.hpp>

#include <string>

namespace {

// No settings: the gateway refuses to start an instance with any key in [plugins.config] (it
// validates the config against this JSON Schema before the constructor runs).
constexpr const char* kConfigSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false
})";

class EchoPlugin : public omnigate::Plugin {
 public:
  explicit EchoPlugin(const omnigate::PluginContext& ctx) : Plugin(ctx) {
    // A real plugin parses ctx.config_json here and throws omnigate::ConfigError("key", "why").
    host().route("POST", "/messages",
                 [this](const omnigate::HttpRequest& request) { return receive(request); });
  }

  void send(uint64_t ticket, const omnigate::OutboundMessage& message) override {
    host().info("reply to " + message.to_address + ": " + message.body_text);
    omnigate::SendResult result;
    result.status = OG_OK;
    result.provider_message_id = "echo-" + message.idempotency_key;
    host().send_result(ticket, result);
  }

 private:
  omnigate::HttpResponse receive(const omnigate::HttpRequest& request) {
    const auto from = request.header("X-Echo-From");
    if (!from || from->empty()) throw omnigate::PermanentError("X-Echo-From header is required");
    omnigate::InboundMessage message;
    message.provider_message_id = std::string(request.header("X-Echo-Message-Id").value_or(""));
    message.from_kind = "webchat";
    message.from_address = std::string(*from);
    message.body_text = std::string(request.body);
    message.raw = std::string(request.body);
    // Tied to request.id: the host holds our 200 until this message is durable.
    host().submit_inbound(request.id, message);
    return {200, "text/plain", "stored\n", {}};
  }
};

}  // namespace

OMNIGATE_PLUGIN(EchoPlugin, "echo", "1.0.0", "echo",
                "Example plugin: stores POSTed text, logs replies", kConfigSchema)
