#include "store/valid_text_migration.hpp"

#include "store/customer_text.hpp"
#include "store/identity.hpp"

#include "omnigate/utf8.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace omnigate::store {
namespace {

using sqlite::Query;

struct Row {
  std::int64_t id = 0;
  std::vector<std::string> values;
};

// The rows of `table` with a value that is not UTF-8 in one of `columns` (all rows are read:
// SQLite has no test for it, and this runs once).
std::vector<Row> rows_to_repair(sqlite::Connection& db, const std::string& table,
                                const std::vector<std::string>& columns) {
  std::string sql = "SELECT rowid";
  for (const auto& c : columns) sql += ", " + c;
  sql += " FROM " + table;
  std::vector<Row> out;
  Query q(db.cached(sql.c_str()));
  while (q.step()) {
    Row row{q->int64(0), {}};
    bool bad = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      row.values.push_back(q->is_null(static_cast<int>(i) + 1) ? std::string()
                                                               : q->text(static_cast<int>(i) + 1));
      bad = bad || !utf8::is_valid(row.values.back());
    }
    if (bad) out.push_back(std::move(row));
  }
  return out;
}

void repair_columns(sqlite::Connection& db, const std::string& table,
                    const std::vector<std::string>& columns) {
  for (const auto& row : rows_to_repair(db, table, columns)) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (utf8::is_valid(row.values[i])) continue;
      const std::string sql = "UPDATE " + table + " SET " + columns[i] + " = ? WHERE rowid = ?";
      Query(db.cached(sql.c_str()), utf8::repaired(row.values[i]), row.id).step();
    }
  }
}

// A provider id must stay unique in its channel: a repaired one that meets another row's gets
// the row's id appended.
std::string unique_provider_id(sqlite::Connection& db, const char* sql_taken,
                               const std::string& channel, std::string repaired, std::int64_t id) {
  Query taken(db.cached(sql_taken), channel, repaired, id);
  if (taken.step()) repaired += "#" + std::to_string(id);
  return repaired;
}

void repair_messages(sqlite::Connection& db) {
  // Customer text first (its originals are kept), then provider text (repaired only).
  const std::vector<std::string> columns{"author_id",  "subject",       "body_text",
                                         "body_html",  "metadata_json", "provider_message_id",
                                         "error_code", "error_text",    "channel_instance"};
  constexpr std::size_t kCustomerColumns = 6;
  for (auto& row : rows_to_repair(db, "messages", columns)) {
    TextRepair customer;  // of the customer columns
    for (std::size_t i = 0; i < columns.size() - 1; ++i) {
      if (utf8::is_valid(row.values[i])) continue;
      if (i < kCustomerColumns) {
        customer.changed.push_back(columns[i]);
        append_form_field(customer.originals, columns[i], row.values[i]);
      }
      row.values[i] = utf8::repaired(row.values[i]);
    }
    auto& provider_id = row.values[5];
    provider_id = unique_provider_id(
        db,
        "SELECT 1 FROM messages WHERE channel_instance = ? AND provider_message_id = ? AND "
        "id <> ? AND provider_message_id <> ''",
        row.values[8], provider_id, row.id);
    Query(db.cached("UPDATE messages SET author_id = ?, subject = ?, body_text = ?, body_html = ?, "
                    "metadata_json = ?, provider_message_id = ?, error_code = ?, error_text = ? "
                    "WHERE id = ?"),
          row.values[0], row.values[1], row.values[2], row.values[3], row.values[4], row.values[5],
          row.values[6], row.values[7], row.id)
        .step();
    if (!customer.changed.empty()) {
      Query(db.cached("UPDATE messages SET malformed = 1, raw = CASE WHEN raw = '' THEN ? ELSE "
                      "raw END WHERE id = ?"),
            customer.originals, row.id)
          .step();
    }
  }
  // The audit copy keeps its bytes, as a BLOB.
  std::vector<std::int64_t> raw_ids;
  {
    Query q(db.cached("SELECT id, raw FROM messages WHERE typeof(raw) = 'text'"));
    while (q.step())
      if (!utf8::is_valid(q->text(1))) raw_ids.push_back(q->int64(0));
  }
  for (auto id : raw_ids)
    Query(db.cached("UPDATE messages SET malformed = 1, raw = CAST(raw AS BLOB) WHERE id = ?"), id)
        .step();
}

void repair_identities(sqlite::Connection& db) {
  for (const auto& row : rows_to_repair(db, "identities", {"kind", "address"})) {
    // No region: migration 9 repairs with the rules of its time (migration 18 re-normalises).
    const Identity id = parse_identity(utf8::repaired(row.values[0]), row.values[1], "");
    bool taken = false;
    {
      Query q(db.cached("SELECT 1 FROM identities WHERE kind = ? AND address = ? AND id <> ?"),
              id.kind, id.address, row.id);
      taken = q.step();
    }
    // Another sender already has the repaired address: this row goes (its customer and messages
    // stay; the messages keep the original address in `raw`).
    if (taken) {
      Query(db.cached("DELETE FROM identities WHERE id = ?"), row.id).step();
    } else {
      Query(db.cached("UPDATE identities SET kind = ?, address = ? WHERE id = ?"), id.kind,
            id.address, row.id)
          .step();
    }
  }
  for (const auto& row : rows_to_repair(db, "conversations", {"customer_address"})) {
    Query(db.cached("UPDATE conversations SET customer_address_kind = 'unverified' WHERE id = ?"),
          row.id)
        .step();
  }
}

void repair_channel_events(sqlite::Connection& db) {
  for (auto& row :
       rows_to_repair(db, "channel_events", {"provider_event_id", "channel_instance"})) {
    const std::string repaired = unique_provider_id(
        db,
        "SELECT 1 FROM channel_events WHERE channel_instance = ? AND provider_event_id = ? AND "
        "id <> ? AND provider_event_id <> ''",
        utf8::repaired(row.values[1]), utf8::repaired(row.values[0]), row.id);
    Query(db.cached("UPDATE channel_events SET provider_event_id = ? WHERE id = ?"), repaired,
          row.id)
        .step();
  }
}

}  // namespace

void repair_stored_text(sqlite::Connection& db) {
  repair_messages(db);
  repair_identities(db);
  repair_channel_events(db);
  repair_columns(db, "customers",
                 {"display_name", "attributes_json", "account_team", "account_manager"});
  repair_columns(db, "conversations",
                 {"thread_key", "subject", "our_address", "customer_address", "skills_json"});
  repair_columns(db, "events", {"kind", "actor", "data_json"});
  repair_columns(db, "attachments", {"filename", "content_type", "url"});
  repair_columns(db, "early_receipts", {"provider_message_id", "error_code", "error_text"});
  repair_columns(db, "outbox", {"provider_message_id", "last_error"});
  repair_columns(db, "audit", {"actor", "object", "remote_addr", "detail_json"});
}

}  // namespace omnigate::store
