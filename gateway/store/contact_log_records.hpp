// "Every interaction is logged within 2 hours" (DOMAIN.md): each end of an agent's contact
// (a conversation resolved while an agent had it) owes a contact log — a classification and a
// note — within the configured window. The store keeps one row per contact end; the contact
// logging service (service/contact_logging.hpp) reminds and flags, and the report counts them.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>

namespace omnigate::store {

// One contact's end and its log.
struct ContactLog {
  Id id = 0;
  Id conversation_id = 0;
  std::string agent;  // who had the contact
  UnixMs ended_at = 0;
  UnixMs due_at = 0;  // ended_at + the window
  std::optional<UnixMs> logged_at;
  std::optional<UnixMs> reminded_at;  // the reminder before due_at went out
  std::optional<UnixMs> overdue_at;   // due_at passed without a log (flagged once)
};

// An agent's (or supervisor's) log of the contact on a conversation.
struct ContactLogEntry {
  Id conversation_id = 0;
  std::string classification;  // what the contact was about ("billing/refund")
  std::string note;
  std::string actor;  // "user:alice"
  UnixMs at = 0;
};

// One agent's figures over the contacts that ended in a period.
struct ContactLoggingFigure {
  std::string agent;
  int contacts = 0;  // ended in the period
  int in_time = 0;   // logged by due_at
  int late = 0;      // logged after due_at
  int missing = 0;   // due_at passed, no log
  int pending = 0;   // not yet due, no log
};

}  // namespace omnigate::store
