// The tamper-evident transcript (docs/qa.md "Transcripts"): every event carries
// hash = SHA-256(hex hash of the conversation's previous event ‖ canonical bytes of this one).
// An event that records a message ("message.received", "message.sent") covers the message's
// text too, so each message is chained through its event. What later writes may legitimately
// change (delivery state, provider id, error) is not covered.
#pragma once

#include "store/sqlite_db.hpp"
#include "store/transcript_records.hpp"

#include <optional>
#include <string>

namespace omnigate::store {

// Sets the hash of event `event_id`, just inserted, from its conversation's previous event.
void chain_event(sqlite::Connection& db, Id event_id);

// Computes the hash of every event that has none yet, in commit order (migration 23).
void backfill_transcript_chain(sqlite::Connection& db);

// Checks one conversation's chain, or every conversation's (nullopt). nullopt = intact.
std::optional<ChainBreak> verify_transcript_chain(sqlite::Connection& db,
                                                  std::optional<Id> conversation_id);

}  // namespace omnigate::store
