// The configured webhook subscriptions ([[webhooks]]), checked against the public event names
// and asked which of them take an event.
#pragma once

#include "config/webhook_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace omnigate::webhooks {

class Subscriptions {
 public:
  // Throws config::ConfigError naming the entry for a pattern pattern_error() refuses.
  explicit Subscriptions(std::vector<config::WebhookConfig> configs);

  const std::vector<config::WebhookConfig>& all() const { return configs_; }
  // nullptr when no subscription has this name (one removed from the config since).
  const config::WebhookConfig* find(std::string_view name) const;
  // The subscriptions one of whose patterns takes `type`, in config order.
  std::vector<const config::WebhookConfig*> taking(std::string_view type) const;

 private:
  std::vector<config::WebhookConfig> configs_;
};

}  // namespace omnigate::webhooks
