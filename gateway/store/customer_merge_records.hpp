// Two customer records of one person made one (docs/api.md "Customer merges"): which fields the
// survivor keeps, what the merge moved, and what undoing it within its window restores. A merge
// is always a person's decision; the store only suggests likely duplicates.
#pragma once

#include "store/complaint_records.hpp"
#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// Where each of the survivor's fields comes from after the merge.
enum class MergeSide { survivor, merged };

struct CustomerMerge {
  Id survivor_id = 0;
  Id merged_id = 0;
  MergeSide display_name = MergeSide::survivor;
  MergeSide tier = MergeSide::survivor;
  MergeSide attributes = MergeSide::survivor;
  MergeSide account = MergeSide::survivor;  // account_team and account_manager together
  MergeSide contacts = MergeSide::survivor;
  std::string actor;          // "user:sue"
  UnixMs undo_window_ms = 0;  // undo is refused once merged_at + this has passed
  UnixMs at = 0;              // 0 = now
};

// A merge as recorded, with what it moved from the merged customer to the survivor.
struct CustomerMergeRecord {
  Id id = 0;
  Id survivor_id = 0;
  Id merged_id = 0;
  std::string actor;
  UnixMs merged_at = 0;
  UnixMs undo_until = 0;
  std::optional<UnixMs> undone_at;
  std::string undone_by;
  std::vector<Id> conversations;  // moved to the survivor
  std::vector<Id> identities;     // moved to the survivor
};

// What a merge or its undo did: the record, and each customer whose profile changed with its
// open conversations (routing repositions them: tier, account team and manager).
struct MergeOutcome {
  CustomerMergeRecord merge;
  std::vector<CustomerChange> changes;
};

// A pair of customers that are likely one person, and why.
struct DuplicateSuggestion {
  Id customer_id = 0;
  Id other_id = 0;  // customer_id < other_id
  // "phone" (same E.164 number, also across SMS, WhatsApp and RCS), "email" (same address but
  // for case), "name_company" (same display name and attributes.company, ignoring case).
  std::string reason;
  std::string value;  // the shared number, address, or "name / company"
};

}  // namespace omnigate::store
