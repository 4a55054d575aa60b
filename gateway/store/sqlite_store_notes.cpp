// SqliteStore: internal notes, and the transcript activity the event stream relays (note.added,
// message.sent, delivery.*; workspace_records.hpp).
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {

using sqlite::Query;

void SqliteStore::add_note(Note request, Completion<Note> done) {
  submit<Note>(
      [this, request = std::move(request)](sqlite::Connection& db) {
        Note note = request;
        {
          Query q(db.cached("SELECT 1 FROM conversations WHERE id = ?"), note.conversation_id);
          if (!q.step())
            throw std::invalid_argument("conversation " + std::to_string(note.conversation_id) +
                                        " does not exist");
        }
        note.created_at = note.created_at != 0 ? note.created_at : wall_clock_ms();
        note.id =
            insert_event(db, note.conversation_id, "note.added", "user:" + note.author,
                         nlohmann::json{{"body", note.body}}.dump(), std::nullopt, note.created_at);
        // The event names itself: a transcript reader refers to the note by this id.
        Query(db.cached("UPDATE events SET data_json = json_set(data_json, '$.note_id', id) "
                        "WHERE id = ?"),
              note.id)
            .step();
        return note;
      },
      std::move(done));
}

Id SqliteStore::last_event_id() {
  Query q(reader().cached("SELECT COALESCE(MAX(id), 0) FROM events"));
  q.step();
  return q->int64(0);
}

std::vector<ActivityEvent> SqliteStore::activity_after(Id after_id, int limit) {
  // delivery.failed written by the outbox names its message in data only.
  Query q(reader().cached(
              "SELECT id, conversation_id, kind, actor, data_json, created_at, "
              "COALESCE(message_id, json_extract(data_json, '$.message_id'), 0) FROM events "
              "WHERE id > ? AND (kind = 'note.added' OR kind = 'message.sent' OR "
              "substr(kind, 1, 9) = 'delivery.') ORDER BY id LIMIT ?"),
          after_id, static_cast<std::int64_t>(limit));
  std::vector<ActivityEvent> out;
  while (q.step()) {
    ActivityEvent a;
    a.event = {q->int64(0), q->int64(1), q->text(2), q->text(3), q->text(4), q->int64(5)};
    a.message_id = q->int64(6);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace omnigate::store
