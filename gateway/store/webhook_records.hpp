// Outbound webhooks as the store keeps them (docs/api.md "Outbound webhooks"): the transcript
// events read after the webhook cursor, and one delivery row per event and subscription, which
// lives pending → sending → delivered, or → retry → ... → failed.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// A transcript event with what a public payload needs beside it: its conversation's channel and
// customer, and the message of a message event.
struct WebhookSourceEvent {
  Event event;
  std::string channel_instance, channel_kind;
  Id customer_id = 0;
  std::optional<Message> message;  // without attachments
};

// A delivery to enqueue: `payload` is the exact body every attempt sends.
struct WebhookDeliveryRecord {
  std::string subscription;
  Id event_id = 0;
  std::string event_type;
  std::string payload;
};

// The events read up to `last_event_id` (the cursor afterwards) and their deliveries, written in
// one transaction only if the cursor still is `expected_cursor`; otherwise an error "conflict:
// ..." and nothing is written (another pump got there first).
struct WebhookEnqueue {
  Id expected_cursor = 0;
  Id last_event_id = 0;
  std::vector<WebhookDeliveryRecord> deliveries;
  UnixMs now = 0;
};

struct WebhookDelivery {
  Id id = 0;
  std::string subscription;
  Id event_id = 0;
  std::string event_type;
  std::string payload;
  std::string state;  // pending | sending | retry | delivered | failed
  int attempts = 0;
  UnixMs next_attempt_at = 0;
  int last_status = 0;  // the receiver's last HTTP status; 0 = no answer
  std::string last_error;
  UnixMs created_at = 0;
  std::optional<UnixMs> delivered_at;
};

struct WebhookDeliveryFilter {
  std::string state;         // "" = every state
  std::string subscription;  // "" = every subscription
  int limit = 100;
};

// Per subscription and state, how many deliveries there are.
struct WebhookDeliveryCount {
  std::string subscription, state;
  int count = 0;
};

// How one attempt ended, recorded with mark_webhook_attempt.
struct WebhookAttemptOutcome {
  enum class Kind { delivered, retry, failed };
  Kind kind = Kind::retry;
  int http_status = 0;
  std::string error;
  UnixMs at = 0;
  UnixMs next_attempt_at = 0;  // retry only
};

}  // namespace omnigate::store
