// Stored identities read again with today's rules (identity.hpp) and the operator's phone
// region: migration 18 for the rows written before, and again at start-up whenever
// [customers] default_region differs from the region the rows were last read with.
#pragma once

#include "store/sqlite_db.hpp"

#include <string>
#include <string_view>

namespace omnigate::store {

// Migration 18: the match keys, merged_into, customer_merges and the identities read again
// without a region (what the store did so far).
void add_customer_merges(sqlite::Connection& db);

// The region the stored identities were last read with ("" = none).
std::string identities_region(sqlite::Connection& db);

// Inside the caller's transaction: every "unverified" address that is a number in `region`
// becomes a "phone" (or WhatsApp/RCS) identity, every e-mail address gets its domain
// lower-cased, and every row its match key. Never a merge: an address another customer already
// holds in its new form stays as it was, and its match key makes the two a duplicate
// suggestion. Records `region` as the one the rows were read with.
void renormalise_identities(sqlite::Connection& db, std::string_view region);

}  // namespace omnigate::store
