// What the store keeps of complaints and of a customer's dedicated group (migration 14,
// docs/service-processes.md). The complaint's ladder lives in its record_json, written and read
// by the complaint service (gateway/service): the store indexes only what lists filter by.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

struct StoredComplaint {
  Id id = 0;
  Id conversation_id = 0;
  Id customer_id = 0;
  std::string severity;  // "normal" | "major"
  std::string status;    // "open" | "closed"
  int level = 1;         // 1..3
  UnixMs filed_at = 0;
  std::string record_json;  // the whole record, as the complaint service renders it
};

// One write of a complaint: the row (id 0 = a new complaint) and the transcript events of the
// steps that changed it, committed together. Each event's data gets "complaint_id".
struct ComplaintWrite {
  StoredComplaint complaint;
  std::vector<EventRecord> events;
  UnixMs at = 0;
};

// A member of a customer's dedicated group: the role, and who holds it (an agent id, or a
// person's name for someone without an agent profile).
struct CustomerContact {
  std::string role;  // account_director | account_manager | technical_expert |
                     // operations_specialist | technical_contact | service_director | executive
  std::string agent_id;
  std::string name;
};

// The roles a customer contact may have (the handbooks' dedicated group, the tier-B technical
// contact, and who complaint levels 2 and 3 reach).
bool is_contact_role(std::string_view role);

}  // namespace omnigate::store
