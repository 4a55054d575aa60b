#include "config/webhook_config.hpp"

#include "config/config.hpp"
#include "config/config_reader.hpp"

namespace omnigate::config {

namespace {

bool is_subscription_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

WebhookConfig read_webhook(TableReader t) {
  WebhookConfig w;
  w.name = t.required_string("name");
  if (!is_subscription_name(w.name))
    throw ConfigError(t.key_path("name") + ": expected 1..64 letters, digits, '_', '-' or '.'");
  w.url = t.required_string("url");
  if (w.url.rfind("http://", 0) != 0 && w.url.rfind("https://", 0) != 0)
    throw ConfigError(t.key_path("url") + ": expected an http:// or https:// URL");
  // The value is never part of a message: it may have come from the environment.
  w.secret = t.required_string("secret");
  if (w.secret.size() < kMinWebhookSecretBytes)
    throw ConfigError(t.key_path("secret") + ": expected at least " +
                      std::to_string(kMinWebhookSecretBytes) + " bytes");
  w.events = t.string_array("events").value_or(std::vector<std::string>{});
  if (w.events.empty())
    throw ConfigError(t.key_path("events") + ": expected at least one event name");
  w.timeout_ms = static_cast<int>(t.integer("timeout_ms", 100, 120000).value_or(w.timeout_ms));
  w.max_attempts = static_cast<int>(t.integer("max_attempts", 1, 100).value_or(w.max_attempts));
  w.initial_backoff_ms = static_cast<int>(
      t.integer("initial_backoff_ms", 1, 86'400'000).value_or(w.initial_backoff_ms));
  w.max_backoff_ms =
      static_cast<int>(t.integer("max_backoff_ms", 1, 86'400'000).value_or(w.max_backoff_ms));
  if (w.max_backoff_ms < w.initial_backoff_ms)
    throw ConfigError(t.key_path("max_backoff_ms") + ": must not be below initial_backoff_ms");
  w.allow_private_fetch = t.boolean("allow_private_fetch").value_or(false);
  t.finish();
  return w;
}

}  // namespace omnigate::config
