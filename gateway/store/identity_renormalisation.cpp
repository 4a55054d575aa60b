#include "store/identity_renormalisation.hpp"

#include "store/identity.hpp"
#include "store/model.hpp"

#include <vector>

namespace omnigate::store {
namespace {

using sqlite::Query;

// Version 18: customer merges. identities.match_key pairs likely duplicates (identity.hpp);
// customers.merged_into marks a record merged into a survivor (kept for undo); customer_merges
// keeps what undo restores (prior_json) until undo_until.
constexpr const char* kCustomerMerges = R"sql(
ALTER TABLE identities ADD COLUMN match_key TEXT NOT NULL DEFAULT '';
CREATE INDEX identities_match_key ON identities(match_key) WHERE match_key <> '';
ALTER TABLE customers ADD COLUMN merged_into INTEGER;
CREATE TABLE customer_merges (
  id INTEGER PRIMARY KEY,
  survivor_id INTEGER NOT NULL REFERENCES customers(id),
  merged_id INTEGER NOT NULL REFERENCES customers(id),
  actor TEXT NOT NULL,
  merged_at INTEGER NOT NULL,
  undo_until INTEGER NOT NULL,
  prior_json TEXT NOT NULL,
  undone_at INTEGER,
  undone_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_merges_survivor ON customer_merges(survivor_id);
CREATE TABLE identity_rules (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  phone_region TEXT NOT NULL
);
)sql";

struct StoredIdentity {
  Id id = 0;
  std::string kind, address;
};

// What the row reads as today. "unverified" rows hold what a channel reported as a phone
// number (every other kind is kept as reported), so they are read as one again.
Identity reread(const StoredIdentity& row, std::string_view region) {
  if (row.kind == "unverified") {
    Identity again = parse_identity("phone", row.address, region);
    if (again.kind != "unverified") return again;
    return {row.kind, row.address, ""};
  }
  if (row.kind == "email") return {row.kind, normalise_email(row.address), ""};
  return {row.kind, row.address, ""};
}

}  // namespace

void add_customer_merges(sqlite::Connection& db) {
  db.exec(kCustomerMerges);
  renormalise_identities(db, "");
}

std::string identities_region(sqlite::Connection& db) {
  Query q(db.cached("SELECT phone_region FROM identity_rules WHERE id = 1"));
  return q.step() ? q->text(0) : std::string();
}

void renormalise_identities(sqlite::Connection& db, std::string_view region) {
  std::vector<StoredIdentity> rows;
  {
    Query q(db.cached("SELECT id, kind, address FROM identities ORDER BY id"));
    while (q.step()) rows.push_back({q->int64(0), q->text(1), q->text(2)});
  }
  for (const auto& row : rows) {
    Identity now = reread(row, region);
    if (now.kind != row.kind || now.address != row.address) {
      Query taken(db.cached("SELECT 1 FROM identities WHERE kind = ? AND address = ?"), now.kind,
                  now.address);
      if (!taken.step()) {
        Query(db.cached("UPDATE identities SET kind = ?, address = ? WHERE id = ?"), now.kind,
              now.address, row.id)
            .step();
      }
    }
    Query(db.cached("UPDATE identities SET match_key = ? WHERE id = ?"),
          identity_match_key(now.kind, now.address), row.id)
        .step();
  }
  Query(db.cached("INSERT INTO identity_rules(id, phone_region) VALUES (1, ?) "
                  "ON CONFLICT(id) DO UPDATE SET phone_region = excluded.phone_region"),
        std::string(region))
      .step();
}

}  // namespace omnigate::store
