// SqliteStore: the contact logs every end of an agent's contact owes (contact_log_records.hpp,
// docs/service-processes.md "Every interaction logged within 2 hours").
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>

namespace omnigate::store {
namespace {

using nlohmann::json;
using sqlite::Query;

constexpr const char* kColumns =
    "id, conversation_id, agent, ended_at, due_at, logged_at, reminded_at, overdue_at";

ContactLog read_log(sqlite::Statement& s) {
  ContactLog l;
  l.id = s.int64(0);
  l.conversation_id = s.int64(1);
  l.agent = s.text(2);
  l.ended_at = s.int64(3);
  l.due_at = s.int64(4);
  l.logged_at = s.optional_int64(5);
  l.reminded_at = s.optional_int64(6);
  l.overdue_at = s.optional_int64(7);
  return l;
}

}  // namespace

void SqliteStore::open_contact_logs(UnixMs window_ms, Completion<std::vector<ContactLog>> done) {
  submit<std::vector<ContactLog>>(
      [window_ms](sqlite::Connection& db) {
        Id cursor = 0;
        {
          Query q(db.cached("SELECT last_event_id FROM contact_log_cursor WHERE id = 1"));
          if (q.step()) cursor = q->int64(0);
        }
        struct End {
          Id event_id, conversation_id;
          UnixMs at;
          std::optional<std::string> agent;
        };
        std::vector<End> ends;
        Id last = cursor;
        {
          // The agent a channel named in its report, else the one the conversation had.
          Query q(db.cached("SELECT e.id, e.conversation_id, e.created_at, "
                            "COALESCE(json_extract(e.data_json, '$.agent'), c.assigned_agent) "
                            "FROM events e JOIN conversations c ON c.id = e.conversation_id "
                            "WHERE e.kind = 'conversation.resolved' AND e.id > ? ORDER BY e.id"),
                  cursor);
          while (q.step()) {
            ends.push_back({q->int64(0), q->int64(1), q->int64(2), q->optional_text(3)});
            last = q->int64(0);
          }
        }
        std::vector<ContactLog> opened;
        for (const auto& end : ends) {
          if (!end.agent || end.agent->empty()) continue;  // nobody had it: no agent contact
          // A log written since the conversation's previous end counts: during the contact, or
          // after it ended but before this pass saw the end.
          std::optional<UnixMs> logged;
          {
            Query q(db.cached(
                        "SELECT MIN(created_at) FROM events WHERE conversation_id = ?1 AND kind = "
                        "'contact.logged' AND id > COALESCE((SELECT MAX(end_event_id) "
                        "FROM contact_logs WHERE conversation_id = ?1), 0)"),
                    end.conversation_id);
            if (q.step()) logged = q->optional_int64(0);
          }
          Query(db.cached("INSERT INTO contact_logs(conversation_id, agent, end_event_id, "
                          "ended_at, due_at, logged_at) VALUES (?, ?, ?, ?, ?, ?)"),
                end.conversation_id, *end.agent, end.event_id, end.at, end.at + window_ms, logged)
              .step();
          opened.push_back({db.last_insert_rowid(), end.conversation_id, *end.agent, end.at,
                            end.at + window_ms, logged, std::nullopt, std::nullopt});
        }
        Query(db.cached("UPDATE contact_log_cursor SET last_event_id = ? WHERE id = 1"), last)
            .step();
        return opened;
      },
      std::move(done));
}

std::vector<ContactLog> SqliteStore::contact_logs_due(UnixMs now, UnixMs remind_before_ms) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<ContactLog> out;
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM contact_logs WHERE logged_at IS NULL AND ((reminded_at IS NULL AND due_at - ?2 <= ?1)"
      " OR (overdue_at IS NULL AND due_at <= ?1)) ORDER BY due_at";
  Query q(db.cached(sql.c_str()), now, remind_before_ms);
  while (q.step()) out.push_back(read_log(*q.operator->()));
  return out;
}

void SqliteStore::mark_contact_log(Id contact_log_id, bool overdue, UnixMs now,
                                   Completion<Nothing> done) {
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        std::optional<ContactLog> log;
        {
          static const std::string sql =
              std::string("SELECT ") + kColumns + " FROM contact_logs WHERE id = ?";
          Query q(db.cached(sql.c_str()), contact_log_id);
          if (q.step()) log = read_log(*q.operator->());
        }
        if (!log)
          throw std::invalid_argument("contact log " + std::to_string(contact_log_id) +
                                      " does not exist");
        // Logged meanwhile, or given already: nothing to say.
        if (log->logged_at || (overdue ? log->overdue_at : log->reminded_at)) return Nothing{};
        Query(db.cached(overdue ? "UPDATE contact_logs SET overdue_at = ?1, reminded_at = "
                                  "COALESCE(reminded_at, ?1) WHERE id = ?2"
                                : "UPDATE contact_logs SET reminded_at = ?1 WHERE id = ?2"),
              now, contact_log_id)
            .step();
        insert_event(
            db, log->conversation_id, overdue ? "contact_log.overdue" : "contact_log.reminder",
            "system",
            json{{"agent", log->agent}, {"ended_at", log->ended_at}, {"due_at", log->due_at}}
                .dump(),
            std::nullopt, now);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::log_contact(ContactLogEntry entry, Completion<int> done) {
  submit<int>(
      [this, entry = std::move(entry)](sqlite::Connection& db) {
        {
          Query q(db.cached("SELECT status FROM conversations WHERE id = ?"),
                  entry.conversation_id);
          if (!q.step() || q->text(0) == "closed")
            throw std::invalid_argument("open conversation " +
                                        std::to_string(entry.conversation_id) + " does not exist");
        }
        bool late = false;
        {
          Query q(db.cached("SELECT COUNT(*) FROM contact_logs WHERE conversation_id = ? AND "
                            "logged_at IS NULL AND due_at < ?"),
                  entry.conversation_id, entry.at);
          late = q.step() && q->int64(0) > 0;
        }
        insert_event(
            db, entry.conversation_id, "contact.logged", entry.actor,
            json{{"classification", entry.classification}, {"note", entry.note}, {"late", late}}
                .dump(),
            std::nullopt, entry.at);
        Query(db.cached("UPDATE contact_logs SET logged_at = ? WHERE conversation_id = ? AND "
                        "logged_at IS NULL"),
              entry.at, entry.conversation_id)
            .step();
        return db.changes();
      },
      std::move(done));
}

std::vector<ContactLoggingFigure> SqliteStore::contact_logging_figures(UnixMs from, UnixMs to,
                                                                       UnixMs now) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<ContactLoggingFigure> out;
  Query q(db.cached("SELECT agent, COUNT(*), "
                    "SUM(logged_at IS NOT NULL AND logged_at <= due_at), "
                    "SUM(logged_at IS NOT NULL AND logged_at > due_at), "
                    "SUM(logged_at IS NULL AND due_at <= ?3), "
                    "SUM(logged_at IS NULL AND due_at > ?3) "
                    "FROM contact_logs WHERE ended_at >= ?1 AND ended_at < ?2 "
                    "GROUP BY agent ORDER BY agent"),
          from, to, now);
  while (q.step())
    out.push_back({q->text(0), static_cast<int>(q->int64(1)), static_cast<int>(q->int64(2)),
                   static_cast<int>(q->int64(3)), static_cast<int>(q->int64(4)),
                   static_cast<int>(q->int64(5))});
  return out;
}

}  // namespace omnigate::store
