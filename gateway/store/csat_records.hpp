// Customer satisfaction (docs/qa.md "CSAT"): one rating 1–5 per conversation, given after it was
// resolved — the customer's SMS reply of a lone digit, or a rating an agent took by phone. A
// newer rating replaces the older one (the customer changed their mind); each is also a
// "csat.received" event in the transcript, so the history stays.
#pragma once

#include "store/model.hpp"

#include <string>

namespace omnigate::store {

struct CsatRating {
  Id conversation_id = 0;
  int rating = 0;      // 1..5
  std::string source;  // "sms" (the customer's reply) or "agent" (taken by phone, entered by them)
  std::string actor;   // "plugin:<instance>" or "user:<name>"
  UnixMs received_at = 0;
};

}  // namespace omnigate::store
