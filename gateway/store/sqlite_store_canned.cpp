// SqliteStore: canned responses, the texts agents insert into replies (workspace_records.hpp,
// docs/api.md "Canned responses"). '' in the language and team columns stands for "any".
#include "store/sqlite_store.hpp"

#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

constexpr const char* kColumns =
    "id, shortcut, title, body, language, team, updated_by, updated_at";

std::optional<std::string> unless_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

CannedResponse read_response(sqlite::Statement& s) {
  CannedResponse r;
  r.id = s.int64(0);
  r.shortcut = s.text(1);
  r.title = s.text(2);
  r.body = s.text(3);
  r.language = unless_empty(s.text(4));
  r.team = unless_empty(s.text(5));
  r.updated_by = s.text(6);
  r.updated_at = s.int64(7);
  return r;
}

std::optional<CannedResponse> response_with_id(sqlite::Connection& db, Id id) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM canned_responses WHERE id = ?";
  Query q(db.cached(sql.c_str()), id);
  if (!q.step()) return std::nullopt;
  return read_response(*q.operator->());
}

std::string does_not_exist(Id id) {
  return "canned response " + std::to_string(id) + " does not exist";
}

}  // namespace

std::vector<CannedResponse> SqliteStore::list_canned_responses(const CannedResponseFilter& filter) {
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM canned_responses WHERE (?1 = '' OR instr(lower(shortcut), lower(?1)) > 0 OR "
      "instr(lower(title), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0) AND "
      "(?2 IS NULL OR language = '' OR language = ?2) AND (?3 IS NULL OR team = '' OR team = ?3) "
      "ORDER BY shortcut, language";
  Query q(reader().cached(sql.c_str()), filter.text, filter.language, filter.team);
  std::vector<CannedResponse> out;
  while (q.step()) out.push_back(read_response(*q.operator->()));
  return out;
}

std::optional<CannedResponse> SqliteStore::get_canned_response(Id id) {
  return response_with_id(reader(), id);
}

void SqliteStore::save_canned_response(CannedResponse request, Completion<CannedResponse> done) {
  submit<CannedResponse>(
      [request = std::move(request)](sqlite::Connection& db) {
        CannedResponse response = request;
        const std::string language = response.language.value_or("");
        if (response.id != 0 && !response_with_id(db, response.id))
          throw std::invalid_argument(does_not_exist(response.id));
        {
          Query q(db.cached("SELECT id FROM canned_responses WHERE shortcut = ? AND language = ? "
                            "AND id <> ?"),
                  response.shortcut, language, response.id);
          if (q.step())
            throw std::invalid_argument(
                "conflict: canned response " + std::to_string(q->int64(0)) +
                " has the shortcut \"" + response.shortcut + "\" for " +
                (language.empty() ? std::string("any language") : "language " + language));
        }
        if (response.updated_at == 0) response.updated_at = wall_clock_ms();
        if (response.id == 0) {
          Query(db.cached("INSERT INTO canned_responses(shortcut, title, body, language, team, "
                          "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                response.shortcut, response.title, response.body, language,
                response.team.value_or(""), response.updated_by, response.updated_at)
              .step();
          response.id = db.last_insert_rowid();
        } else {
          Query(db.cached("UPDATE canned_responses SET shortcut = ?, title = ?, body = ?, "
                          "language = ?, team = ?, updated_by = ?, updated_at = ? WHERE id = ?"),
                response.shortcut, response.title, response.body, language,
                response.team.value_or(""), response.updated_by, response.updated_at, response.id)
              .step();
        }
        return *response_with_id(db, response.id);
      },
      std::move(done));
}

void SqliteStore::delete_canned_response(Id id, Completion<Nothing> done) {
  submit<Nothing>(
      [id](sqlite::Connection& db) {
        Query(db.cached("DELETE FROM canned_responses WHERE id = ?"), id).step();
        if (db.changes() == 0) throw std::invalid_argument(does_not_exist(id));
        return Nothing{};
      },
      std::move(done));
}

}  // namespace omnigate::store
