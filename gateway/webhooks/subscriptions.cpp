#include "webhooks/subscriptions.hpp"

#include "config/config.hpp"
#include "webhooks/event_types.hpp"

#include <algorithm>

namespace omnigate::webhooks {

Subscriptions::Subscriptions(std::vector<config::WebhookConfig> configs)
    : configs_(std::move(configs)) {
  for (std::size_t i = 0; i < configs_.size(); ++i) {
    const auto& events = configs_[i].events;
    for (std::size_t j = 0; j < events.size(); ++j) {
      const std::string error = pattern_error(events[j]);
      if (!error.empty())
        throw config::ConfigError("webhooks[" + std::to_string(i) + "].events[" +
                                  std::to_string(j) + "]: \"" + events[j] + "\" " + error);
    }
  }
}

const config::WebhookConfig* Subscriptions::find(std::string_view name) const {
  for (const auto& c : configs_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<const config::WebhookConfig*> Subscriptions::taking(std::string_view type) const {
  std::vector<const config::WebhookConfig*> out;
  for (const auto& c : configs_) {
    if (std::any_of(c.events.begin(), c.events.end(),
                    [&](const std::string& p) { return pattern_matches(p, type); }))
      out.push_back(&c);
  }
  return out;
}

}  // namespace omnigate::webhooks
