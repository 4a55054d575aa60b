// SqliteStore: customer satisfaction ratings (csat_records.hpp, docs/qa.md "CSAT") — stored by
// an agent (save_csat) or taken from the customer's SMS reply inside ingest_message.
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string_view>

namespace omnigate::store {
namespace {

using sqlite::Query;

// A lone digit 1–5, with spaces or line breaks around it at most ("5", " 4\n").
std::optional<int> lone_rating(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = text.find_last_not_of(kSpace);
  if (first != last || text[first] < '1' || text[first] > '5') return std::nullopt;
  return text[first] - '0';
}

}  // namespace

std::optional<int> SqliteStore::sms_csat_rating(sqlite::Connection& db, const ThreadRequest& req,
                                                const std::string& body_text) {
  if (options_.csat_sms_window_ms <= 0 || req.channel_kind != "sms") return std::nullopt;
  const auto rating = lone_rating(body_text);
  if (!rating) return std::nullopt;
  // The conversation thread_conversation finds for this message, and when it was last resolved.
  Query q(db.cached("SELECT c.status, (SELECT MAX(e.created_at) FROM events e WHERE "
                    "e.conversation_id = c.id AND e.kind = 'conversation.resolved') "
                    "FROM conversations c WHERE c.customer_id = ? AND c.channel_instance = ? AND "
                    "c.thread_key = ? AND c.status <> 'closed' ORDER BY c.id DESC LIMIT 1"),
          req.customer_id, req.channel_instance, req.thread_key);
  if (!q.step() || q->text(0) != "resolved") return std::nullopt;
  const auto resolved_at = q->optional_int64(1);
  if (!resolved_at || req.now - *resolved_at > options_.csat_sms_window_ms) return std::nullopt;
  return rating;
}

void SqliteStore::record_csat(sqlite::Connection& db, const CsatRating& r) {
  Query(db.cached("INSERT INTO csat_ratings(conversation_id, rating, source, actor, received_at) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET "
                  "rating = excluded.rating, source = excluded.source, actor = excluded.actor, "
                  "received_at = excluded.received_at"),
        r.conversation_id, std::int64_t{r.rating}, r.source, r.actor, r.received_at)
      .step();
  insert_event(db, r.conversation_id, "csat.received", r.actor,
               nlohmann::json{{"rating", r.rating}, {"source", r.source}}.dump(), std::nullopt,
               r.received_at);
}

void SqliteStore::save_csat(CsatRating rating, Completion<CsatRating> done) {
  submit<CsatRating>(
      [this, rating = std::move(rating)](sqlite::Connection& db) {
        const std::string name = "conversation " + std::to_string(rating.conversation_id);
        {
          Query q(db.cached("SELECT status FROM conversations WHERE id = ?"),
                  rating.conversation_id);
          if (!q.step()) throw std::invalid_argument(name + " does not exist");
          if (q->text(0) != "resolved" && q->text(0) != "closed")
            throw std::invalid_argument(name + " is not resolved");
        }
        record_csat(db, rating);
        return rating;
      },
      std::move(done));
}

std::vector<CsatRating> SqliteStore::csat_ratings(UnixMs from, UnixMs to) {
  Query q(
      reader().cached("SELECT r.conversation_id, r.rating, r.source, r.actor, r.received_at "
                      "FROM csat_ratings r JOIN conversations c ON c.id = r.conversation_id "
                      "WHERE c.created_at >= ? AND c.created_at < ? ORDER BY r.conversation_id"),
      from, to);
  std::vector<CsatRating> out;
  while (q.step())
    out.push_back(
        {q->int64(0), static_cast<int>(q->int64(1)), q->text(2), q->text(3), q->int64(4)});
  return out;
}

}  // namespace omnigate::store
