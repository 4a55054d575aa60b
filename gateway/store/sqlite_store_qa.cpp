// SqliteStore: quality review (qa_records.hpp, docs/qa.md) — the conversations sampling draws
// from, samples, scorecard versions and reviews.
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

// One statement for every filter: unset fields are NULL / empty and match everything, lists are
// JSON arrays read with json_each. The facts are computed per conversation: the events' from
// the covering index events_conversation_kind (a probe each, no event row read), the keyword's
// through messages_conversation.
constexpr const char* kQaConversations = R"sql(
SELECT id, agent, team, channel_kind, tier, priority, created_at, first_response_at,
       first_response_due, resolved_at, breached, escalated, transferred, keyword_hit, low_csat
FROM (
  SELECT c.id, COALESCE(c.assigned_agent, c.previous_agent, '') AS agent,
         COALESCE(a.team, '') AS team, c.channel_kind, c.tier, c.priority, c.created_at,
         c.first_response_at, c.first_response_due,
         (SELECT MIN(e.created_at) FROM events e
           WHERE e.conversation_id = c.id AND e.kind = 'conversation.resolved') AS resolved_at,
         EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = c.id
                   AND e.kind IN ('sla.first_response_breach', 'sla.resolution_breach',
                                  'sla.resolution_max_breach')) AS breached,
         EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = c.id
                   AND e.kind IN ('sla.escalation', 'sla.complaint_escalation')) AS escalated,
         EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = c.id
                   AND e.kind = 'conversation.transferred') AS transferred,
         CASE WHEN ?9 = '' THEN 0 ELSE EXISTS (
           SELECT 1 FROM messages m WHERE m.conversation_id = c.id
             AND (m.body_text LIKE ?9 ESCAPE '\' OR m.subject LIKE ?9 ESCAPE '\')) END
           AS keyword_hit,
         EXISTS (SELECT 1 FROM csat_ratings r WHERE r.conversation_id = c.id AND r.rating <= 2)
           AS low_csat
  FROM conversations c
  LEFT JOIN agents a ON a.id = COALESCE(c.assigned_agent, c.previous_agent)
  WHERE (?1 IS NULL OR c.created_at >= ?1) AND (?2 IS NULL OR c.created_at < ?2)
    AND (json_array_length(?5) = 0 OR c.channel_kind IN (SELECT value FROM json_each(?5)))
    AND (json_array_length(?6) = 0 OR c.tier IN (SELECT value FROM json_each(?6)))
)
WHERE (json_array_length(?3) = 0 OR agent IN (SELECT value FROM json_each(?3)))
  AND (json_array_length(?4) = 0 OR team IN (SELECT value FROM json_each(?4)))
  AND (?7 = 0 OR (?8 & 1 AND breached) OR (?8 & 2 AND escalated) OR (?8 & 4 AND transferred)
       OR (?8 & 8 AND low_csat) OR (?10 IS NOT NULL AND resolved_at - created_at >= ?10)
       OR keyword_hit)
ORDER BY id
)sql";

// The keyword as a LIKE pattern matching it anywhere, its own % and _ taken literally.
std::string contains_pattern(const std::string& keyword) {
  if (keyword.empty()) return {};
  std::string p = "%";
  for (const char ch : keyword) {
    if (ch == '%' || ch == '_' || ch == '\\') p += '\\';
    p += ch;
  }
  return p + "%";
}

constexpr const char* kReviewColumns =
    "SELECT id, scorecard_id, conversation_id, sample_id, reviewer, agent, expert, overall, "
    "auto_failed, comment, state, dispute_reason, resolution_note, resolved_by, created_at, "
    "updated_at FROM qa_reviews ";

QaReview read_review_row(sqlite::Statement& s) {
  QaReview r;
  r.id = s.int64(0);
  r.scorecard_id = s.int64(1);
  r.conversation_id = s.int64(2);
  r.sample_id = s.optional_int64(3);
  r.reviewer = s.text(4);
  r.agent = s.text(5);
  r.expert = s.int64(6) != 0;
  r.overall = std::stod(s.text(7));
  r.auto_failed = s.int64(8) != 0;
  r.comment = s.text(9);
  r.state = s.text(10);
  r.dispute_reason = s.text(11);
  r.resolution_note = s.text(12);
  r.resolved_by = s.text(13);
  r.created_at = s.int64(14);
  r.updated_at = s.int64(15);
  return r;
}

void read_scores(sqlite::Connection& db, QaReview& r) {
  Query q(db.cached("SELECT criterion, score, comment FROM qa_review_scores WHERE review_id = ? "
                    "ORDER BY criterion"),
          r.id);
  while (q.step()) {
    QaCriterionScore s{q->text(0), std::nullopt, q->text(2)};
    if (const auto v = q->optional_int64(1)) s.score = static_cast<int>(*v);
    r.scores.push_back(std::move(s));
  }
}

std::optional<QaReview> read_review(sqlite::Connection& db, Id id) {
  static const std::string sql = std::string(kReviewColumns) + "WHERE id = ?";
  std::optional<QaReview> r;
  {
    Query q(db.cached(sql.c_str()), id);
    if (!q.step()) return std::nullopt;
    r = read_review_row(*q.operator->());
  }
  read_scores(db, *r);
  return r;
}

void insert_scores(sqlite::Connection& db, Id review_id,
                   const std::vector<QaCriterionScore>& scores) {
  for (const auto& s : scores) {
    Query(db.cached("INSERT INTO qa_review_scores(review_id, criterion, score, comment) "
                    "VALUES (?, ?, ?, ?)"),
          review_id, s.criterion,
          s.score ? std::optional<std::int64_t>(*s.score) : std::optional<std::int64_t>(),
          s.comment)
        .step();
  }
}

QaScorecard read_scorecard(sqlite::Statement& s) {
  return {s.int64(0), s.text(1), static_cast<int>(s.int64(2)), s.text(3), s.text(4), s.int64(5)};
}

}  // namespace

std::vector<QaConversation> SqliteStore::qa_conversations(const QaConversationFilter& f) {
  auto& db = reader();
  const auto list = [](const std::vector<std::string>& v) { return nlohmann::json(v).dump(); };
  const std::int64_t flags = (f.sla_breached ? 1 : 0) | (f.escalated ? 2 : 0) |
                             (f.transferred ? 4 : 0) | (f.low_csat ? 8 : 0);
  Query q(db.cached(kQaConversations), f.from, f.to, list(f.agents), list(f.teams),
          list(f.channels), list(f.tiers), std::int64_t{f.targeted() ? 1 : 0}, flags,
          contains_pattern(f.keyword), f.min_handle_ms);
  std::vector<QaConversation> out;
  while (q.step()) {
    QaConversation c;
    c.id = q->int64(0);
    c.agent = q->text(1);
    c.team = q->text(2);
    c.channel_kind = q->text(3);
    c.tier = q->text(4);
    c.priority = static_cast<int>(q->int64(5));
    c.created_at = q->int64(6);
    c.first_response_at = q->optional_int64(7);
    c.first_response_due = q->optional_int64(8);
    c.resolved_at = q->optional_int64(9);
    c.sla_breached = q->int64(10) != 0;
    c.escalated = q->int64(11) != 0;
    c.transferred = q->int64(12) != 0;
    c.keyword_hit = q->int64(13) != 0;
    c.low_csat = q->int64(14) != 0;
    out.push_back(std::move(c));
  }
  return out;
}

void SqliteStore::save_qa_sample(QaSample sample, Completion<Id> done) {
  submit<Id>(
      [sample = std::move(sample)](sqlite::Connection& db) {
        Query(db.cached("INSERT INTO qa_samples(name, strategy_json, filter_json, seed, "
                        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
              sample.name, sample.strategy_json, sample.filter_json, sample.seed, sample.created_by,
              sample.created_at)
            .step();
        const Id id = db.last_insert_rowid();
        std::int64_t position = 0;
        for (const auto& item : sample.items) {
          Query(db.cached("INSERT INTO qa_sample_items(sample_id, position, conversation_id, "
                          "agent, stratum, reviewer) VALUES (?, ?, ?, ?, ?, ?)"),
                id, position++, item.conversation_id, item.agent, item.stratum, item.reviewer)
              .step();
        }
        return id;
      },
      std::move(done));
}

std::optional<QaSample> SqliteStore::get_qa_sample(Id id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  QaSample s;
  {
    Query q(db.cached("SELECT id, name, strategy_json, filter_json, seed, created_by, created_at "
                      "FROM qa_samples WHERE id = ?"),
            id);
    if (!q.step()) return std::nullopt;
    s = {q->int64(0), q->text(1), q->text(2), q->text(3), q->int64(4), q->text(5), q->int64(6), {}};
  }
  Query q(db.cached("SELECT conversation_id, agent, stratum, reviewer FROM qa_sample_items "
                    "WHERE sample_id = ? ORDER BY position"),
          id);
  while (q.step()) s.items.push_back({q->int64(0), q->text(1), q->text(2), q->text(3)});
  return s;
}

void SqliteStore::add_qa_scorecard(QaScorecard card, Completion<QaScorecard> done) {
  submit<QaScorecard>(
      [card = std::move(card)](sqlite::Connection& db) {
        QaScorecard stored = card;
        {
          Query q(db.cached("SELECT COALESCE(MAX(version), 0) + 1 FROM qa_scorecards "
                            "WHERE name = ?"),
                  card.name);
          q.step();
          stored.version = static_cast<int>(q->int64(0));
        }
        Query(db.cached("INSERT INTO qa_scorecards(name, version, definition_json, created_by, "
                        "created_at) VALUES (?, ?, ?, ?, ?)"),
              stored.name, stored.version, stored.definition_json, stored.created_by,
              stored.created_at)
            .step();
        stored.id = db.last_insert_rowid();
        return stored;
      },
      std::move(done));
}

std::vector<QaScorecard> SqliteStore::list_qa_scorecards() {
  auto& db = reader();
  Query q(
      db.cached("SELECT id, name, version, definition_json, created_by, created_at "
                "FROM qa_scorecards ORDER BY name, version"));
  std::vector<QaScorecard> out;
  while (q.step()) out.push_back(read_scorecard(*q.operator->()));
  return out;
}

std::optional<QaScorecard> SqliteStore::get_qa_scorecard(Id id) {
  auto& db = reader();
  Query q(db.cached("SELECT id, name, version, definition_json, created_by, created_at "
                    "FROM qa_scorecards WHERE id = ?"),
          id);
  if (!q.step()) return std::nullopt;
  return read_scorecard(*q.operator->());
}

void SqliteStore::save_qa_review(QaReview review, Completion<Id> done) {
  submit<Id>(
      [review = std::move(review)](sqlite::Connection& db) {
        {
          Query q(db.cached("SELECT 1 FROM conversations WHERE id = ?"), review.conversation_id);
          if (!q.step())
            throw std::invalid_argument("no conversation " +
                                        std::to_string(review.conversation_id));
        }
        Query(db.cached("INSERT INTO qa_reviews(scorecard_id, conversation_id, sample_id, "
                        "reviewer, agent, expert, overall, auto_failed, comment, state, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "'submitted', ?, ?)"),
              review.scorecard_id, review.conversation_id, review.sample_id, review.reviewer,
              review.agent, std::int64_t{review.expert ? 1 : 0},
              // Statement binds no doubles; the column's REAL affinity stores the text as a number.
              std::to_string(review.overall), std::int64_t{review.auto_failed ? 1 : 0},
              review.comment, review.created_at, review.created_at)
            .step();
        const Id id = db.last_insert_rowid();
        insert_scores(db, id, review.scores);
        return id;
      },
      std::move(done));
}

std::optional<QaReview> SqliteStore::get_qa_review(Id id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  return read_review(db, id);
}

std::vector<QaReview> SqliteStore::list_qa_reviews(const QaReviewFilter& f) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  static const std::string sql =
      std::string(kReviewColumns) +
      "WHERE (?1 IS NULL OR conversation_id = ?1) AND (?2 IS NULL OR sample_id = ?2) "
      "AND (?3 = '' OR reviewer = ?3) AND (?4 = '' OR agent = ?4) AND (?5 = '' OR state = ?5) "
      "ORDER BY id LIMIT ?6";
  std::vector<QaReview> out;
  {
    Query q(db.cached(sql.c_str()), f.conversation_id, f.sample_id, f.reviewer, f.agent, f.state,
            std::int64_t{f.limit});
    while (q.step()) out.push_back(read_review_row(*q.operator->()));
  }
  for (auto& r : out) read_scores(db, r);
  return out;
}

void SqliteStore::change_qa_review(QaReviewChange change, Completion<QaReview> done) {
  submit<QaReview>(
      [change = std::move(change)](sqlite::Connection& db) {
        const bool resolves = change.to == "dispute_upheld" || change.to == "dispute_rejected";
        Query(db.cached("UPDATE qa_reviews SET state = ?3, updated_at = ?4, "
                        "dispute_reason = CASE WHEN ?3 = 'disputed' THEN ?5 ELSE dispute_reason "
                        "END, resolution_note = CASE WHEN ?6 THEN ?7 ELSE resolution_note END, "
                        "resolved_by = CASE WHEN ?6 THEN ?8 ELSE resolved_by END "
                        "WHERE id = ?1 AND state = ?2"),
              change.review_id, change.from, change.to, change.at, change.dispute_reason,
              std::int64_t{resolves ? 1 : 0}, change.resolution_note, change.actor)
            .step();
        if (db.changes() == 0) {
          throw std::invalid_argument("review " + std::to_string(change.review_id) + " is not " +
                                      change.from);
        }
        if (change.scores) {
          Query(db.cached("DELETE FROM qa_review_scores WHERE review_id = ?"), change.review_id)
              .step();
          insert_scores(db, change.review_id, *change.scores);
          Query(db.cached("UPDATE qa_reviews SET overall = ?2, auto_failed = ?3 WHERE id = ?1"),
                change.review_id, std::to_string(change.overall),
                std::int64_t{change.auto_failed ? 1 : 0})
              .step();
        }
        return *read_review(db, change.review_id);
      },
      std::move(done));
}

}  // namespace omnigate::store
