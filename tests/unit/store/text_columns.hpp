// Reads a whole database as another program would: every TEXT value in every table, through a
// fresh connection, so a test can prove that no row holds text that is not UTF-8.
#pragma once

#include "omnigate/utf8.hpp"

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace omnigate::store::test {

// "table.column rowid" of every TEXT value that is not UTF-8.
inline std::vector<std::string> invalid_text_values(const std::string& db_path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> tables;
  {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt,
                               nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW)
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
  }
  std::vector<std::string> bad;
  for (const auto& table : tables) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, ("SELECT * FROM " + table).c_str(), -1, &stmt, nullptr) ==
            SQLITE_OK);
    for (long row = 1; sqlite3_step(stmt) == SQLITE_ROW; ++row) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) != SQLITE_TEXT) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        const std::string value(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
        if (!utf8::is_valid(value))
          bad.push_back(table + "." + sqlite3_column_name(stmt, c) + " row " + std::to_string(row));
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return bad;
}

// One value through a fresh connection (the first column of the first row; "" when none).
// BLOBs come back as their bytes.
inline std::string read_value(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const void* bytes = sqlite3_column_blob(stmt, 0);
    out.assign(static_cast<const char*>(bytes ? bytes : ""),
               static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace omnigate::store::test
