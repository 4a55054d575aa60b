#include "store/transcript_chain.hpp"

#include "store/attachment_files.hpp"

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace omnigate::store {
namespace {

using sqlite::Query;

// The columns an entry's hash covers; the canonical bytes are these in this order.
constexpr const char* kEntryColumns =
    "SELECT e.id, e.conversation_id, e.kind, e.actor, e.data_json, e.message_id, e.created_at, "
    "m.direction, m.author_kind, m.author_id, m.subject, m.body_text, m.body_html, m.created_at, "
    "e.hash FROM events e LEFT JOIN messages m ON m.id = e.message_id ";
constexpr int kCoveredColumns = 14;
constexpr int kHashColumn = 14;

// Each field as "<length>:<bytes>" (NULL as "-"), so no two different rows share their bytes
// whatever the text holds.
std::string canonical_bytes(const sqlite::Statement& row) {
  std::string out;
  for (int col = 0; col < kCoveredColumns; ++col) {
    if (row.is_null(col)) {
      out += '-';
      continue;
    }
    const std::string value = row.text(col);
    out += std::to_string(value.size());
    out += ':';
    out += value;
  }
  return out;
}

std::string entry_hash(std::string_view previous, const sqlite::Statement& row) {
  std::string bytes(previous);
  bytes += canonical_bytes(row);
  return sha256_hex(bytes);
}

}  // namespace

void chain_event(sqlite::Connection& db, Id event_id) {
  std::string hash;
  {
    static const std::string by_id = std::string(kEntryColumns) + "WHERE e.id = ?";
    Query q(db.cached(by_id.c_str()), event_id);
    if (!q.step()) return;
    std::string previous;
    Query prev(db.cached("SELECT hash FROM events WHERE conversation_id = ? AND id < ? "
                         "ORDER BY id DESC LIMIT 1"),
               q->int64(1), event_id);
    if (prev.step()) previous = prev->text(0);
    hash = entry_hash(previous, *q.operator->());
  }
  Query(db.cached("UPDATE events SET hash = ? WHERE id = ?"), hash, event_id).step();
}

void backfill_transcript_chain(sqlite::Connection& db) {
  std::unordered_map<Id, std::string> last;  // conversation → hash of its latest event so far
  std::vector<std::pair<Id, std::string>> hashes;
  {
    Query q(db.cached((std::string(kEntryColumns) + "ORDER BY e.id").c_str()));
    while (q.step()) {
      auto& previous = last[q->int64(1)];
      previous = entry_hash(previous, *q.operator->());
      hashes.emplace_back(q->int64(0), previous);
    }
  }
  for (const auto& [id, hash] : hashes)
    Query(db.cached("UPDATE events SET hash = ? WHERE id = ?"), hash, id).step();
}

std::optional<ChainBreak> verify_transcript_chain(sqlite::Connection& db,
                                                  std::optional<Id> conversation_id) {
  std::unordered_map<Id, std::string> last;
  static const std::string one = std::string(kEntryColumns) +
                                 "WHERE e.conversation_id = ? "
                                 "ORDER BY e.id";
  static const std::string all = std::string(kEntryColumns) + "ORDER BY e.id";
  Query q(db.cached(conversation_id ? one.c_str() : all.c_str()));
  if (conversation_id) q->bind(1, *conversation_id);
  while (q.step()) {
    auto& previous = last[q->int64(1)];
    const std::string expected = entry_hash(previous, *q.operator->());
    if (q->text(kHashColumn) != expected)
      return ChainBreak{q->int64(1), q->int64(0), q->optional_int64(5)};
    previous = expected;
  }
  return std::nullopt;
}

}  // namespace omnigate::store
