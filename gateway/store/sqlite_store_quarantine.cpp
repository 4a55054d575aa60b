// SqliteStore: what a crashing plugin leaves behind — the crash log the crash-loop guard counts,
// the quarantine of inputs that crashed their plugin, and the instances disabled for crashing
// (docs/operations.md "Quarantine and disabled instances").
#include "store/model_json.hpp"
#include "store/sqlite_store.hpp"

#include "omnigate/utf8.hpp"

#include <charconv>
#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

constexpr const char* kQuarantineColumns =
    "id, instance, input_kind, input_key, status, crashes, first_crash_at, last_crash_at, "
    "last_reason, raw, quarantined_at, released_at, released_by, replayed_at, dropped_at, "
    "dropped_by";

QuarantineEntry read_entry(sqlite::Statement& s) {
  QuarantineEntry e;
  e.id = s.int64(0);
  e.instance = s.text(1);
  e.input_kind = s.text(2);
  e.input_key = s.text(3);
  e.status = s.text(4);
  e.crashes = static_cast<int>(s.int64(5));
  e.first_crash_at = s.int64(6);
  e.last_crash_at = s.int64(7);
  e.last_reason = s.text(8);
  e.raw = s.text(9);
  e.quarantined_at = s.optional_int64(10);
  e.released_at = s.optional_int64(11);
  e.released_by = s.optional_text(12).value_or("");
  e.replayed_at = s.optional_int64(13);
  e.dropped_at = s.optional_int64(14);
  e.dropped_by = s.optional_text(15).value_or("");
  return e;
}

std::optional<QuarantineEntry> read_entry(sqlite::Connection& db, Id id) {
  static const std::string sql =
      std::string("SELECT ") + kQuarantineColumns + " FROM quarantine WHERE id = ?";
  Query q(db.cached(sql.c_str()), id);
  if (!q.step()) return std::nullopt;
  return read_entry(*q.operator->());
}

std::vector<QuarantineEntry> read_entries(Query& q) {
  std::vector<QuarantineEntry> out;
  while (q.step()) out.push_back(read_entry(*q.operator->()));
  return out;
}

bool known_input_kind(const std::string& kind) {
  return kind == "http" || kind == "ws" || kind == "outbox";
}

// The outbox row an "outbox" input names ("outbox:<id>").
Id outbox_id_of(const std::string& input_key) {
  constexpr std::string_view prefix = "outbox:";
  Id id = 0;
  const std::string_view rest = std::string_view(input_key).substr(
      input_key.rfind(prefix, 0) == 0 ? prefix.size() : input_key.size());
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (rest.empty() || ec != std::errc() || end != rest.data() + rest.size() || id <= 0)
    throw std::invalid_argument("outbox input key '" + input_key + "' is not outbox:<id>");
  return id;
}

// In the caller's transaction, so the change and its audit record commit together.
void insert_audit(sqlite::Connection& db, const std::string& actor, const std::string& action,
                  const QuarantineEntry& e, UnixMs now) {
  Query(db.cached("INSERT INTO audit(actor, action, object, remote_addr, detail_json, "
                  "created_at) VALUES (?, ?, ?, '', ?, ?)"),
        actor, action, "quarantine:" + std::to_string(e.id),
        json_object_with("",
                         {{"instance", e.instance},
                          {"input_kind", e.input_kind},
                          {"input_key", e.input_key},
                          {"status", e.status}},
                         "audit detail"),
        now)
      .step();
}

QuarantineEntry require_entry(sqlite::Connection& db, Id id) {
  auto e = read_entry(db, id);
  if (!e) throw std::invalid_argument("quarantine entry " + std::to_string(id) + " does not exist");
  return *e;
}

}  // namespace

void SqliteStore::record_plugin_crash(PluginCrash crash, int quarantine_after,
                                      Completion<CrashVerdict> done) {
  utf8::repair(crash.reason);
  submit<CrashVerdict>(
      [crash = std::move(crash), quarantine_after](sqlite::Connection& db) {
        if (crash.instance.empty()) throw std::invalid_argument("plugin crash without an instance");
        const UnixMs now = crash.at != 0 ? crash.at : wall_clock_ms();
        Query(db.cached("INSERT INTO plugin_crash_log(instance, at, mode, reason, input_kind, "
                        "input_key) VALUES (?, ?, ?, ?, ?, ?)"),
              crash.instance, now, crash.mode, crash.reason, crash.input_kind, crash.input_key)
            .step();
        CrashVerdict verdict;
        if (crash.input_key.empty()) return verdict;
        if (!known_input_kind(crash.input_kind))
          throw std::invalid_argument("unknown input kind '" + crash.input_kind + "'");
        const Id outbox_id = crash.input_kind == "outbox" ? outbox_id_of(crash.input_key) : 0;
        std::string status;
        {
          Query q(db.cached("SELECT id, status FROM quarantine WHERE instance = ? AND input_kind = "
                            "? AND input_key = ?"),
                  crash.instance, crash.input_kind, crash.input_key);
          if (q.step()) {
            verdict.quarantine_id = q->int64(0);
            status = q->text(1);
          }
        }
        if (verdict.quarantine_id == 0) {
          Query insert(db.cached("INSERT INTO quarantine(instance, input_kind, input_key, status, "
                                 "crashes, first_crash_at, last_crash_at, last_reason, raw) "
                                 "VALUES (?, ?, ?, 'suspect', 1, ?, ?, ?, ?)"),
                       crash.instance, crash.input_kind, crash.input_key, now, now, crash.reason,
                       crash.raw);
          insert->bind_blob(7, crash.raw);
          insert.step();
          verdict.quarantine_id = db.last_insert_rowid();
          status = "suspect";
        } else if (status == "released" || status == "dropped") {
          // A released input that crashes again is a new suspect: release reset its count (and
          // it is no longer waiting to be replayed).
          Query update(db.cached("UPDATE quarantine SET status = 'suspect', crashes = 1, "
                                 "first_crash_at = ?2, last_crash_at = ?2, last_reason = ?3, "
                                 "raw = CASE WHEN length(raw) = 0 THEN ?4 ELSE raw END, "
                                 "quarantined_at = NULL, released_at = NULL, released_by = NULL, "
                                 "replayed_at = NULL, dropped_at = NULL, dropped_by = NULL "
                                 "WHERE id = ?1"),
                       verdict.quarantine_id, now, crash.reason, crash.raw);
          update->bind_blob(4, crash.raw);
          update.step();
          status = "suspect";
        } else {
          Query update(db.cached("UPDATE quarantine SET crashes = crashes + 1, last_crash_at = ?2, "
                                 "last_reason = ?3, raw = CASE WHEN length(raw) = 0 THEN ?4 ELSE "
                                 "raw END WHERE id = ?1"),
                       verdict.quarantine_id, now, crash.reason, crash.raw);
          update->bind_blob(4, crash.raw);
          update.step();
        }
        {
          Query q(db.cached("SELECT crashes FROM quarantine WHERE id = ?"), verdict.quarantine_id);
          q.step();
          verdict.input_crashes = static_cast<int>(q->int64(0));
        }
        if (status == "suspect" && verdict.input_crashes >= quarantine_after) {
          Query(db.cached("UPDATE quarantine SET status = 'quarantined', quarantined_at = ? WHERE "
                          "id = ?"),
                now, verdict.quarantine_id)
              .step();
          status = "quarantined";
          verdict.newly_quarantined = true;
        }
        verdict.quarantined = status == "quarantined";
        if (verdict.quarantined && outbox_id != 0) {
          // Only an unfinished row: a send the provider took (or one that failed) stays so.
          Query(db.cached("UPDATE outbox SET state = 'quarantined', updated_at = ? WHERE id = ? "
                          "AND state IN ('pending', 'sending', 'retry')"),
                now, outbox_id)
              .step();
        }
        return verdict;
      },
      std::move(done));
}

int SqliteStore::plugin_crash_count(const std::string& instance, UnixMs since) {
  Query q(reader().cached("SELECT COUNT(*) FROM plugin_crash_log WHERE instance = ? AND at >= ?"),
          instance, since);
  q.step();
  return static_cast<int>(q->int64(0));
}

std::vector<QuarantineEntry> SqliteStore::list_quarantine(const QuarantineFilter& filter) {
  static const std::string sql = std::string("SELECT ") + kQuarantineColumns +
                                 " FROM quarantine WHERE (?1 IS NULL OR instance = ?1) AND (?2 IS "
                                 "NULL OR status = ?2) ORDER BY last_crash_at DESC, id DESC "
                                 "LIMIT ?3";
  Query q(reader().cached(sql.c_str()), filter.instance, filter.status,
          static_cast<std::int64_t>(filter.limit > 0 ? filter.limit : 100));
  return read_entries(q);
}

std::optional<QuarantineEntry> SqliteStore::get_quarantine(Id id) {
  return read_entry(reader(), id);
}

std::vector<QuarantineEntry> SqliteStore::quarantined_inputs(const std::string& instance) {
  static const std::string sql = std::string("SELECT ") + kQuarantineColumns +
                                 " FROM quarantine WHERE status = 'quarantined' AND instance = ? "
                                 "ORDER BY id";
  Query q(reader().cached(sql.c_str()), instance);
  return read_entries(q);
}

void SqliteStore::release_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) {
  submit<QuarantineEntry>(
      [id, actor = std::move(actor)](sqlite::Connection& db) {
        if (actor.empty()) throw std::invalid_argument("release without an actor");
        const QuarantineEntry before = require_entry(db, id);
        if (before.status != "quarantined")
          throw std::invalid_argument("quarantine entry " + std::to_string(id) +
                                      " is not quarantined (status " + before.status + ")");
        const UnixMs now = wall_clock_ms();
        const bool outbox = before.input_kind == "outbox";
        // An outbox input is the sender's to deliver again: it is "replayed" by this very change.
        // An http/ws input only the running gateway can hand to its plugin again.
        Query(db.cached("UPDATE quarantine SET status = 'released', released_at = ?2, released_by "
                        "= ?3, replayed_at = ?4 WHERE id = ?1"),
              id, now, actor, outbox ? std::optional<std::int64_t>(now) : std::nullopt)
            .step();
        if (outbox) {
          // Due now, with its attempts back to at most one: the sender tries it afresh, and
          // still asks the channel first whether an earlier attempt reached the provider.
          Query(db.cached("UPDATE outbox SET state = 'retry', next_attempt_at = ?2, attempts = "
                          "MIN(attempts, 1), updated_at = ?2 WHERE id = ?1 AND state = "
                          "'quarantined'"),
                outbox_id_of(before.input_key), now)
              .step();
        }
        QuarantineEntry after = require_entry(db, id);
        insert_audit(db, actor, "quarantine.release", after, now);
        return after;
      },
      std::move(done));
}

void SqliteStore::drop_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) {
  submit<QuarantineEntry>(
      [this, id, actor = std::move(actor)](sqlite::Connection& db) {
        if (actor.empty()) throw std::invalid_argument("drop without an actor");
        const QuarantineEntry before = require_entry(db, id);
        if (before.status != "quarantined" && before.status != "suspect")
          throw std::invalid_argument("quarantine entry " + std::to_string(id) +
                                      " is neither quarantined nor suspect (status " +
                                      before.status + ")");
        const UnixMs now = wall_clock_ms();
        Query(db.cached("UPDATE quarantine SET status = 'dropped', dropped_at = ?2, dropped_by = "
                        "?3 WHERE id = ?1"),
              id, now, actor)
            .step();
        if (before.input_kind == "outbox") {
          const Id outbox_id = outbox_id_of(before.input_key);
          bool unfinished = false;
          {
            Query q(db.cached("SELECT state FROM outbox WHERE id = ?"), outbox_id);
            if (q.step()) {
              const std::string state = q->text(0);
              unfinished = state != "sent" && state != "failed";
            }
          }
          // A send the provider took stays sent; a failed one stays failed.
          if (unfinished)
            fail_outbox_row(db, outbox_id, "", "dropped from quarantine by " + actor, now);
        }
        QuarantineEntry after = require_entry(db, id);
        insert_audit(db, actor, "quarantine.drop", after, now);
        return after;
      },
      std::move(done));
}

std::vector<QuarantineEntry> SqliteStore::released_unreplayed() {
  static const std::string sql = std::string("SELECT ") + kQuarantineColumns +
                                 " FROM quarantine WHERE status = 'released' AND replayed_at IS "
                                 "NULL ORDER BY released_at, id";
  Query q(reader().cached(sql.c_str()));
  return read_entries(q);
}

void SqliteStore::mark_quarantine_replayed(Id id, Completion<Nothing> done) {
  submit<Nothing>(
      [id](sqlite::Connection& db) {
        const QuarantineEntry e = require_entry(db, id);
        if (e.status != "released")
          throw std::invalid_argument("quarantine entry " + std::to_string(id) +
                                      " is not released (status " + e.status + ")");
        Query(
            db.cached("UPDATE quarantine SET replayed_at = COALESCE(replayed_at, ?) WHERE id = ?"),
            wall_clock_ms(), id)
            .step();
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_plugin_instance_disabled(std::string instance, bool disabled,
                                               std::string reason, std::string actor,
                                               Completion<Nothing> done) {
  utf8::repair(reason);
  submit<Nothing>(
      [instance = std::move(instance), disabled, reason = std::move(reason),
       actor = std::move(actor)](sqlite::Connection& db) {
        if (instance.empty()) throw std::invalid_argument("plugin instance name is empty");
        if (actor.empty()) throw std::invalid_argument("plugin state change without an actor");
        const UnixMs now = wall_clock_ms();
        Query(db.cached("INSERT INTO plugin_instance_state(instance, disabled, reason, changed_at, "
                        "changed_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(instance) DO UPDATE SET "
                        "disabled = excluded.disabled, reason = excluded.reason, changed_at = "
                        "excluded.changed_at, changed_by = excluded.changed_by"),
              instance, disabled ? 1 : 0, reason, now, actor)
            .step();
        Query(db.cached("INSERT INTO audit(actor, action, object, remote_addr, detail_json, "
                        "created_at) VALUES (?, ?, ?, '', ?, ?)"),
              actor, disabled ? "plugin.disable" : "plugin.enable", "plugin:" + instance,
              json_object_with("", {{"reason", reason}}, "audit detail"), now)
            .step();
        return Nothing{};
      },
      std::move(done));
}

std::vector<PluginInstanceState> SqliteStore::plugin_instance_states() {
  Query q(
      reader().cached("SELECT instance, disabled, reason, changed_at, changed_by FROM "
                      "plugin_instance_state ORDER BY instance"));
  std::vector<PluginInstanceState> out;
  while (q.step())
    out.push_back({q->text(0), q->int64(1) != 0, q->text(2), q->int64(3), q->text(4)});
  return out;
}

}  // namespace omnigate::store
