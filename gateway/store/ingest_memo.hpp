// What the writer's recent ingests found: the customer behind an identity and the open
// conversation of a (customer, channel instance, thread). The next message from the same
// customer on the same thread then skips both lookups, which were about a tenth of the writer's
// work per message.
//
// Only the writer thread uses it, and only while nothing but ingests has written: SqliteStore
// clears it before any other write (an agent's reply, an assignment, a merge, ...), when a
// write or a whole batch is rolled back, and when another connection (an `omnigate` admin
// command in another process) committed since the last batch (PRAGMA data_version).
#pragma once

#include "store/model.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace omnigate::store {

class IngestMemo {
 public:
  struct OpenConversation {
    Id id = 0;
    std::string status;
  };

  std::optional<Id> customer(std::string_view kind, std::string_view address) const;
  void remember_customer(std::string_view kind, std::string_view address, Id customer_id);

  const OpenConversation* conversation(Id customer_id, std::string_view channel_instance,
                                       std::string_view thread_key) const;
  void remember_conversation(Id customer_id, std::string_view channel_instance,
                             std::string_view thread_key, OpenConversation conversation);
  // A remembered conversation's new status (reopened, or no longer waiting on the customer).
  void set_status(Id customer_id, std::string_view channel_instance, std::string_view thread_key,
                  std::string status);

  void clear();

 private:
  // Bounds memory: a day of distinct customers fits, and a full memo starts over.
  static constexpr std::size_t kMaxEntries = 100000;

  std::unordered_map<std::string, Id> customers_;
  std::unordered_map<std::string, OpenConversation> conversations_;
};

}  // namespace omnigate::store
