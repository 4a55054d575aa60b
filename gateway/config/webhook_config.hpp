// [[webhooks]]: the outbound webhook subscriptions (docs/operations.md "Outbound webhooks").
// Which event names a subscription may list is the webhooks module's to say
// (webhooks/event_types.hpp); here only the shape of each entry is checked.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace omnigate::config {

class TableReader;

struct WebhookConfig {
  std::string name;    // unique; names the subscription in deliveries and the admin API
  std::string url;     // http:// or https://
  std::string secret;  // the HMAC key (use "${ENV_NAME}" to keep it out of the file); never logged
  std::vector<std::string> events;  // public event names or "prefix.*" / "*" patterns
  int timeout_ms = 10000;           // one attempt's limit
  int max_attempts = 8;             // then the delivery is "failed"
  int initial_backoff_ms = 1000;    // retry delays double from here (with jitter)
  int max_backoff_ms = 5 * 60 * 1000;
  // Lets the delivery connect to loopback/private/link-local addresses (tests, an integrator on
  // the same host); refused otherwise, like a plugin's http_fetch.
  bool allow_private_fetch = false;
};

// The shortest secret accepted: 16 bytes (128 bits), so a signature cannot be forged by
// guessing the key.
inline constexpr std::size_t kMinWebhookSecretBytes = 16;

// Reads and checks one [[webhooks]] entry; throws ConfigError naming the key.
WebhookConfig read_webhook(TableReader t);

}  // namespace omnigate::config
