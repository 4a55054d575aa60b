// Transcript reads for QA: full-text search (the messages_fts index of migration 23) and the
// verification of the tamper-evident chain.
#include "store/sqlite_store.hpp"
#include "store/transcript_chain.hpp"

#include <cctype>
#include <unordered_set>

namespace omnigate::store {
namespace {

using sqlite::Query;

// Marks around matched words in snippet(); control characters no stored text keeps (the store
// repairs text, and the words come out of the index's own copy).
constexpr char kMatchOpen = '\x02';
constexpr char kMatchClose = '\x03';

// Every word as an FTS5 string ("..." with '"' doubled): the words must all occur, and no
// operator, column filter or syntax error can come from what a user typed.
std::string literal_words(const std::string& words) {
  std::string out;
  std::size_t pos = 0;
  while (pos < words.size()) {
    while (pos < words.size() && std::isspace(static_cast<unsigned char>(words[pos]))) ++pos;
    const std::size_t begin = pos;
    while (pos < words.size() && !std::isspace(static_cast<unsigned char>(words[pos]))) ++pos;
    if (pos == begin) break;
    if (!out.empty()) out += ' ';
    out += '"';
    for (std::size_t i = begin; i < pos; ++i) {
      if (words[i] == '"') out += '"';
      out += words[i];
    }
    out += '"';
  }
  return out;
}

std::vector<SnippetPart> snippet_parts(const std::string& marked) {
  std::vector<SnippetPart> parts;
  SnippetPart current;
  for (const char c : marked) {
    if (c == kMatchOpen || c == kMatchClose) {
      if (!current.text.empty()) parts.push_back(std::move(current));
      current = SnippetPart{"", c == kMatchOpen};
    } else {
      current.text += c;
    }
  }
  if (!current.text.empty()) parts.push_back(std::move(current));
  return parts;
}

}  // namespace

std::vector<TranscriptHit> SqliteStore::search_transcripts(const std::string& words, int limit) {
  std::vector<TranscriptHit> hits;
  const std::string query = literal_words(words);
  if (query.empty()) return hits;
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  // Best match first; a conversation's later (weaker) messages are skipped. snippet() cannot
  // run under a window function, so the grouping is done here while stepping.
  Query q(db.cached("SELECT m.conversation_id, m.id, snippet(messages_fts, -1, char(2), char(3), "
                    "'…', 16) FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
                    "WHERE messages_fts MATCH ? ORDER BY messages_fts.rank, m.id"),
          query);
  std::unordered_set<Id> seen;
  while (static_cast<int>(hits.size()) < limit && q.step()) {
    if (!seen.insert(q->int64(0)).second) continue;
    hits.push_back({q->int64(0), q->int64(1), snippet_parts(q->text(2))});
  }
  return hits;
}

std::optional<ChainBreak> SqliteStore::verify_transcripts(std::optional<Id> conversation_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  return verify_transcript_chain(db, conversation_id);
}

}  // namespace omnigate::store
