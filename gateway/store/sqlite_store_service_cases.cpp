// SqliteStore: after-sales service cases and their stage history (service_case_records.hpp,
// docs/service-processes.md "After-sales service cases").
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
namespace {

using nlohmann::json;
using sqlite::Query;

constexpr const char* kColumns =
    "id, conversation_id, stage, stage_since, stage_due_at, overdue_at, opened_at, opened_by";

ServiceCase read_case(sqlite::Statement& s) {
  ServiceCase c;
  c.id = s.int64(0);
  c.conversation_id = s.int64(1);
  c.stage = s.text(2);
  c.stage_since = s.int64(3);
  c.stage_due_at = s.optional_int64(4);
  c.overdue_at = s.optional_int64(5);
  c.opened_at = s.int64(6);
  c.opened_by = s.text(7);
  return c;
}

std::optional<ServiceCase> read_case(sqlite::Connection& db, Id id) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM service_cases WHERE id = ?";
  Query q(db.cached(sql.c_str()), id);
  if (!q.step()) return std::nullopt;
  return read_case(*q.operator->());
}

std::invalid_argument no_case(Id id) {
  return std::invalid_argument("service case " + std::to_string(id) + " does not exist");
}

}  // namespace

void SqliteStore::move_service_case(CaseStageMove move, Completion<ServiceCase> done) {
  submit<ServiceCase>(
      [this, move = std::move(move)](sqlite::Connection& db) {
        if (!case_stage_index(move.stage))
          throw std::invalid_argument("unknown stage \"" + move.stage + "\"");
        Id case_id = move.case_id;
        Id conversation_id = move.conversation_id;
        std::string from;
        bool late = false;
        if (case_id == 0) {
          {
            Query q(db.cached("SELECT status FROM conversations WHERE id = ?"), conversation_id);
            if (!q.step() || q->text(0) == "closed")
              throw std::invalid_argument("open conversation " + std::to_string(conversation_id) +
                                          " does not exist");
          }
          {
            Query q(db.cached("SELECT id FROM service_cases WHERE conversation_id = ? AND stage "
                              "<> 'closed'"),
                    conversation_id);
            if (q.step())
              throw std::invalid_argument("conversation " + std::to_string(conversation_id) +
                                          " has open service case " + std::to_string(q->int64(0)));
          }
          Query(db.cached("INSERT INTO service_cases(conversation_id, stage, stage_since, "
                          "stage_due_at, opened_at, opened_by) VALUES (?, ?, ?, ?, ?, ?)"),
                conversation_id, move.stage, move.at, move.due_at, move.at, move.actor)
              .step();
          case_id = db.last_insert_rowid();
        } else {
          const auto current = read_case(db, case_id);
          if (!current) throw no_case(case_id);
          conversation_id = current->conversation_id;
          from = current->stage;
          if (*case_stage_index(move.stage) <= case_stage_index(from).value_or(-1))
            throw std::invalid_argument("service case " + std::to_string(case_id) + " is at \"" +
                                        from + "\"; it moves only to a later stage");
          late = current->stage_due_at && move.at > *current->stage_due_at;
          Query(db.cached("UPDATE service_case_stages SET left_at = ? WHERE case_id = ? AND "
                          "left_at IS NULL"),
                move.at, case_id)
              .step();
          Query(db.cached("UPDATE service_cases SET stage = ?, stage_since = ?, stage_due_at = ?, "
                          "overdue_at = NULL WHERE id = ?"),
                move.stage, move.at, move.due_at, case_id)
              .step();
        }
        const bool closing = move.stage == "closed";
        Query(db.cached("INSERT INTO service_case_stages(case_id, stage, entered_at, entered_by, "
                        "note, due_at, left_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
              case_id, move.stage, move.at, move.actor, move.note, move.due_at,
              closing ? std::optional<UnixMs>(move.at) : std::nullopt)
            .step();
        json data = {{"case_id", case_id},
                     {"to", move.stage},
                     {"note", move.note},
                     {"due_at", move.due_at ? json(*move.due_at) : json(nullptr)}};
        if (!from.empty()) {
          data["from"] = from;
          data["late"] = late;
        }
        insert_event(db, conversation_id, from.empty() ? "case.opened" : "case.stage", move.actor,
                     data.dump(), std::nullopt, move.at);
        return *read_case(db, case_id);
      },
      std::move(done));
}

void SqliteStore::mark_case_overdue(Id case_id, UnixMs now, Completion<Nothing> done) {
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        const auto c = read_case(db, case_id);
        if (!c) throw no_case(case_id);
        if (c->overdue_at || !c->stage_due_at || *c->stage_due_at > now) return Nothing{};
        Query(db.cached("UPDATE service_cases SET overdue_at = ? WHERE id = ?"), now, case_id)
            .step();
        insert_event(
            db, c->conversation_id, "case.stage_overdue", "system",
            json{{"case_id", case_id}, {"stage", c->stage}, {"due_at", *c->stage_due_at}}.dump(),
            std::nullopt, now);
        return Nothing{};
      },
      std::move(done));
}

std::optional<ServiceCase> SqliteStore::get_service_case(Id case_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  return read_case(db, case_id);
}

std::vector<CaseStage> SqliteStore::service_case_stages(Id case_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<CaseStage> out;
  Query q(db.cached("SELECT stage, entered_at, entered_by, note, due_at, left_at FROM "
                    "service_case_stages WHERE case_id = ? ORDER BY id"),
          case_id);
  while (q.step())
    out.push_back({q->text(0), q->int64(1), q->text(2), q->text(3), q->optional_int64(4),
                   q->optional_int64(5)});
  return out;
}

std::vector<ServiceCase> SqliteStore::list_service_cases(const ServiceCaseFilter& f) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM service_cases WHERE (?1 IS NULL OR (stage <> 'closed') = ?1) AND (?2 = 0 OR "
      "(stage <> 'closed' AND stage_due_at IS NOT NULL AND stage_due_at <= ?3)) "
      "ORDER BY id DESC LIMIT ?4";
  const std::optional<std::int64_t> open =
      f.open ? std::optional<std::int64_t>(*f.open ? 1 : 0) : std::nullopt;
  Query q(db.cached(sql.c_str()), open, static_cast<std::int64_t>(f.overdue_only), f.now,
          static_cast<std::int64_t>(f.limit));
  std::vector<ServiceCase> out;
  while (q.step()) out.push_back(read_case(*q.operator->()));
  return out;
}

std::vector<CaseStageFigure> SqliteStore::case_stage_figures(UnixMs from, UnixMs to, UnixMs now) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<CaseStageFigure> out;
  for (const auto stage : kCaseStages) {
    if (stage == "closed") continue;  // an end, not a stage anyone works in
    const std::string name(stage);    // bound by reference: lives until the query is done
    Query q(db.cached("SELECT COUNT(*), "
                      "SUM(left_at IS NOT NULL AND (due_at IS NULL OR left_at <= due_at)), "
                      "SUM(left_at IS NOT NULL AND due_at IS NOT NULL AND left_at > due_at), "
                      "SUM(left_at IS NULL AND due_at IS NOT NULL AND due_at <= ?4), "
                      "AVG(CASE WHEN left_at IS NOT NULL THEN left_at - entered_at END) "
                      "FROM service_case_stages WHERE stage = ?1 AND entered_at >= ?2 AND "
                      "entered_at < ?3"),
            name, from, to, now);
    if (!q.step()) continue;
    CaseStageFigure f;
    f.stage = name;
    f.entered = static_cast<int>(q->int64(0));
    f.left_in_time = static_cast<int>(q->optional_int64(1).value_or(0));
    f.left_late = static_cast<int>(q->optional_int64(2).value_or(0));
    f.open_overdue = static_cast<int>(q->optional_int64(3).value_or(0));
    f.avg_hours = static_cast<double>(q->optional_int64(4).value_or(0)) / 3'600'000.0;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace omnigate::store
