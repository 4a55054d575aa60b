// Versioned schema migrations, embedded in the binary. Each one runs in its own transaction
// and records itself in schema_migrations(version, applied_at); they are append-only: never
// edit a released migration, add the next one.
#pragma once

#include "store/sqlite_db.hpp"

#include <span>

namespace omnigate::store {

struct Migration {
  int version;
  const char* sql;
  // The SQL rewrites table definitions in sqlite_master itself (SQLite's documented procedure for
  // changes that leave the stored rows valid, such as an equivalent CHECK): it runs with
  // writable_schema on and bumps the schema cookie so every connection re-reads the schema.
  bool edits_schema_text = false;
  // A step that one SQL script cannot express (a data rewrite; new tables beside an edited table
  // text), run in the migration's transaction instead of `sql`.
  void (*rewrite)(sqlite::Connection&) = nullptr;
};

// In ascending version order, starting at 1.
std::span<const Migration> migrations();

// The version recorded in the database (0 for a fresh file).
int schema_version(sqlite::Connection& db);

// Applies every pending migration and returns the resulting version. Throws when the database
// is newer than this binary (message names both versions) or a migration fails.
int apply_migrations(sqlite::Connection& db);

}  // namespace omnigate::store
