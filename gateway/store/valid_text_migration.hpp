// Migration 9: stored text that is not UTF-8 (written before the store repaired it on the way in,
// customer_text.hpp) is repaired in place, so that every reader of the database can read it.
#pragma once

#include "store/sqlite_db.hpp"

namespace omnigate::store {

// In every TEXT column that customer or provider text reaches: each maximal invalid subpart
// becomes U+FFFD. Messages keep the originals (form-encoded, as on ingest) in an empty `raw` and
// are flagged malformed; a `raw` that is itself not UTF-8 becomes a BLOB of the same bytes.
// Identities that were not UTF-8 become "unverified" ones, as on ingest. plugin_kv is left alone:
// its values are the plugins' own bytes.
void repair_stored_text(sqlite::Connection& db);

}  // namespace omnigate::store
