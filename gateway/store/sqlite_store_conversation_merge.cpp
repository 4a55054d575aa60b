// SqliteStore: two conversations of one customer merged into one (workspace_records.hpp,
// docs/api.md "Merging conversations"). Nothing moves: the absorbed conversation ends like a
// resolve and both transcripts say where the other one is.
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

struct MergeSide {
  Id customer_id = 0;
  std::string status;
  bool merged_already = false;  // it has a conversation.merged_into event
};

MergeSide side(sqlite::Connection& db, Id id) {
  MergeSide s;
  {
    Query q(db.cached("SELECT customer_id, status FROM conversations WHERE id = ?"), id);
    if (!q.step())
      throw std::invalid_argument("conversation " + std::to_string(id) + " does not exist");
    s.customer_id = q->int64(0);
    s.status = q->text(1);
  }
  Query q(db.cached("SELECT 1 FROM events WHERE conversation_id = ? AND "
                    "kind = 'conversation.merged_into' LIMIT 1"),
          id);
  s.merged_already = q.step();
  return s;
}

std::string conflict(Id id, const std::string& why) {
  return "conflict: conversation " + std::to_string(id) + " " + why;
}

}  // namespace

void SqliteStore::merge_conversations(ConversationMerge merge,
                                      Completion<ConversationMergeResult> done) {
  submit<ConversationMergeResult>(
      [this, merge = std::move(merge)](sqlite::Connection& db) {
        if (merge.into == merge.from)
          throw std::invalid_argument(conflict(merge.into, "cannot be merged into itself"));
        const auto into = side(db, merge.into);
        const auto from = side(db, merge.from);
        if (into.customer_id != from.customer_id)
          throw std::invalid_argument(
              conflict(merge.from, "belongs to customer " + std::to_string(from.customer_id) +
                                       ", conversation " + std::to_string(merge.into) +
                                       " to customer " + std::to_string(into.customer_id)));
        if (into.status == "closed") throw std::invalid_argument(conflict(merge.into, "is closed"));
        for (const auto& [id, s] : {std::pair{merge.into, into}, std::pair{merge.from, from}})
          if (s.merged_already)
            throw std::invalid_argument(conflict(id, "was merged into another one already"));
        const UnixMs now = merge.at != 0 ? merge.at : wall_clock_ms();
        ConversationMergeResult result;
        result.resolved_from = from.status != "resolved" && from.status != "closed";
        if (result.resolved_from) {
          Query(db.cached("UPDATE conversations SET status = 'resolved', updated_at = ? "
                          "WHERE id = ?"),
                now, merge.from)
              .step();
          insert_event(
              db, merge.from, "conversation.resolved", merge.actor,
              nlohmann::json{{"reason", "merged into #" + std::to_string(merge.into)}}.dump(),
              std::nullopt, now);
        }
        insert_event(db, merge.from, "conversation.merged_into", merge.actor,
                     nlohmann::json{{"into", merge.into}}.dump(), std::nullopt, now);
        insert_event(db, merge.into, "conversation.merged", merge.actor,
                     nlohmann::json{{"from", merge.from}}.dump(), std::nullopt, now);
        Query(db.cached("UPDATE conversations SET updated_at = ? WHERE id = ?"), now, merge.into)
            .step();
        return result;
      },
      std::move(done));
}

}  // namespace omnigate::store
