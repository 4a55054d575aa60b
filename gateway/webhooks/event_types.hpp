// The public events of outbound webhooks (docs/api.md "Outbound webhooks"): which transcript
// events integrators see, under which stable names, with which payload. Internal event kinds
// may change; these names and payload fields are the contract.
#pragma once

#include "store/webhook_records.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace omnigate::webhooks {

// Every public event name, in the order docs/api.md lists them.
std::span<const std::string_view> public_event_types();

// Whether a subscription's `pattern` takes `type`: the exact name, "prefix.*" (every name that
// starts with "prefix.") or "*" (everything).
bool pattern_matches(std::string_view pattern, std::string_view type);

// Why `pattern` is not a usable subscription pattern (bad syntax, or it matches no public event:
// most likely a typo), or "" when it is.
std::string pattern_error(std::string_view pattern);

struct PublicEvent {
  std::string type;
  std::string payload;  // the request body: {"id", "type", "created_at", "conversation_id", "data"}
};

// The public event a transcript event is, or nullopt for internal ones.
std::optional<PublicEvent> public_event(const store::WebhookSourceEvent& source);

}  // namespace omnigate::webhooks
