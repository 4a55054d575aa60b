// What the store takes and answers for erasure of a customer on request, legal holds and
// retention (docs/operations.md "Erasure, legal hold and retention"). Erased and expired
// conversations stay as empty shells whose transcript chain ends in one "transcript.erased"
// entry: `omnigate transcript verify` still passes, and the record says that (and why) the
// content went away.
#pragma once

#include "store/model.hpp"

#include <string>
#include <vector>

namespace omnigate::store {

struct ErasureRequest {
  Id customer_id = 0;
  std::string actor;   // "user:<name>" or "cli:<login>"
  std::string reason;  // the legal basis, for the caller's audit row; never stored with the data
  UnixMs at = 0;
};

struct ErasureOutcome {
  std::vector<Id> customers;           // the customer and every record merged into them
  std::vector<Id> conversations;       // emptied, each with a "transcript.erased" entry
  std::vector<Id> open_conversations;  // of those, the ones that were open (now closed)
  int messages = 0;
  int attachment_files = 0;  // files removed from the attachments dir (no other row used them)
  // The database was vacuumed and its WAL checkpointed and truncated to 0 bytes; false when
  // another process's lock or readers kept it busy past the timeout (secure_delete has zeroed
  // the freed pages still; what the index segments and WAL held goes with the next VACUUM).
  bool purged = false;
};

struct LegalHold {
  Id customer_id = 0;
  std::string reason;
  std::string actor;
  UnixMs since = 0;
};

// Places (hold) or lifts (!hold) a customer's legal hold.
struct LegalHoldChange {
  Id customer_id = 0;
  bool hold = true;
  std::string actor;
  std::string reason;
  UnixMs at = 0;
};

// One [[retention]] rule: resolved or closed conversations of the channel (instance name or
// channel kind; "" = any) and tier ("" = any) whose last change is older than the days go.
struct RetentionRule {
  std::string channel;
  std::string tier;
  int delete_after_days = 0;
};

struct RetentionRun {
  std::vector<RetentionRule> rules;
  UnixMs now = 0;
  std::string actor = "system:retention";
};

struct RetentionOutcome {
  std::vector<Id> conversations;  // emptied by this run
  int messages = 0;
  int held = 0;  // conversations a rule selected but a legal hold kept
};

}  // namespace omnigate::store
