// SqliteStore: erasure of a customer on request, legal holds and retention
// (erasure_records.hpp, docs/operations.md "Erasure, legal hold and retention").
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <stdexcept>

namespace omnigate::store {

namespace {

using sqlite::Query;

// Whatever refers to a conversation's messages and events, deleted before them (foreign keys);
// ?1 is the conversation.
constexpr const char* kDependents[] = {
    "DELETE FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE "
    "conversation_id = ?1) OR event_id IN (SELECT id FROM events WHERE conversation_id = ?1)",
    "DELETE FROM channel_events WHERE event_id IN (SELECT id FROM events WHERE "
    "conversation_id = ?1)",
    "DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE "
    "conversation_id = ?1)",
    "DELETE FROM contact_logs WHERE conversation_id = ?1",
    "DELETE FROM service_case_stages WHERE case_id IN (SELECT id FROM service_cases WHERE "
    "conversation_id = ?1)",
    "DELETE FROM service_cases WHERE conversation_id = ?1",
    "DELETE FROM complaints WHERE conversation_id = ?1",
    "DELETE FROM csat_ratings WHERE conversation_id = ?1",
    // A reviewer's comments quote the conversation.
    "DELETE FROM qa_review_scores WHERE review_id IN (SELECT id FROM qa_reviews WHERE "
    "conversation_id = ?1)",
    "DELETE FROM qa_reviews WHERE conversation_id = ?1",
    "DELETE FROM outbox WHERE message_id IN (SELECT id FROM messages WHERE conversation_id = ?1)",
    "DELETE FROM events WHERE conversation_id = ?1",
};

// What names the person outside their conversations; ?1 is a customer.
constexpr const char* kCustomerTraces[] = {
    "DELETE FROM identities WHERE customer_id = ?1",
    "DELETE FROM customer_contacts WHERE customer_id = ?1",
    "DELETE FROM customer_tier_changes WHERE customer_id = ?1",
    // A merge keeps both records' prior fields and identities for its undo.
    "DELETE FROM customer_merges WHERE survivor_id = ?1 OR merged_id = ?1",
    "DELETE FROM complaints WHERE customer_id = ?1",
    "DELETE FROM legal_holds WHERE customer_id = ?1",
    "UPDATE customers SET display_name = '', attributes_json = '{}', account_team = '', "
    "account_manager = '' WHERE id = ?1",
};

// secure_delete for one write: the pages and cells it frees are zeroed, not just unlinked, so
// what the VACUUM after it does not reach (the WAL's later frames) holds no old bytes either.
class SecureDelete {
 public:
  explicit SecureDelete(sqlite::Connection& db) : db_(db) { db_.exec("PRAGMA secure_delete = ON"); }
  ~SecureDelete() {
    try {
      db_.exec("PRAGMA secure_delete = OFF");
    } catch (const std::exception&) {
      // The flag only costs speed; the write's outcome is what matters.
    }
  }
  SecureDelete(const SecureDelete&) = delete;
  SecureDelete& operator=(const SecureDelete&) = delete;

 private:
  sqlite::Connection& db_;
};

std::string not_found(Id customer_id) {
  return "customer " + std::to_string(customer_id) + " does not exist";
}

}  // namespace

void SqliteStore::empty_conversation(sqlite::Connection& db, Id conversation_id,
                                     const std::string& reason, const std::string& actor,
                                     UnixMs now, Emptied& emptied) {
  std::int64_t entries = 0;
  std::string head;
  {
    Query q(db.cached("SELECT COUNT(*), (SELECT hash FROM events WHERE conversation_id = ?1 "
                      "ORDER BY id DESC LIMIT 1) FROM events WHERE conversation_id = ?1"),
            conversation_id);
    q.step();
    entries = q->int64(0);
    head = q->optional_text(1).value_or("");
  }
  {
    Query q(db.cached("SELECT DISTINCT sha256 FROM attachments WHERE sha256 <> '' AND "
                      "(message_id IN (SELECT id FROM messages WHERE conversation_id = ?1) OR "
                      "event_id IN (SELECT id FROM events WHERE conversation_id = ?1))"),
            conversation_id);
    while (q.step()) emptied.attachment_sha256.push_back(q->text(0));
  }
  for (const char* sql : kDependents) Query(db.cached(sql), conversation_id).step();
  // The messages_fts_delete trigger takes each message out of the search index.
  Query(db.cached("DELETE FROM messages WHERE conversation_id = ?"), conversation_id).step();
  const int messages = db.changes();
  emptied.messages += messages;
  // Closed with no thread key: nothing threads into the shell again.
  Query(db.cached("UPDATE conversations SET status = 'closed', subject = '', thread_key = '', "
                  "customer_address = '', last_inbound_message_id = 0, erased_at = ?2, "
                  "updated_at = ?2 WHERE id = ?1"),
        conversation_id, now)
      .step();
  // The chain's own record of the erasure: how many entries went and the hash the chain ended
  // in, so a copy of the chain taken before can be matched to this point.
  insert_event(
      db, conversation_id, "transcript.erased", actor,
      nlohmann::json{
          {"reason", reason}, {"entries", entries}, {"messages", messages}, {"chain_head", head}}
          .dump(),
      std::nullopt, now);
}

int SqliteStore::purge_freed(const std::vector<std::string>& attachment_sha256, bool vacuum,
                             bool* purged) {
  int removed = 0;
  writer_->with_exclusive([&](sqlite::Connection& db) {
    // Content-addressed: another message (anyone's) may carry the same file.
    for (const auto& sha : attachment_sha256) {
      if (!is_sha256_hex(sha)) continue;
      Query q(db.cached("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1"), sha);
      if (q.step()) continue;
      std::error_code ignored;
      if (std::filesystem::remove(files_.path_of(sha), ignored)) ++removed;
    }
    if (!vacuum) return;
    // A new file without the freed pages, then the WAL (which held the old pages, and now the
    // VACUUM's) copied in and cut to nothing. After the commit nothing can be undone: a failure
    // (another process holding the write lock) is reported, not thrown.
    try {
      db.exec("VACUUM");
      Query q(db.cached("PRAGMA wal_checkpoint(TRUNCATE)"));
      const bool truncated = q.step() && q->int64(0) == 0;
      if (purged) *purged = truncated;
    } catch (const std::exception&) {
      if (purged) *purged = false;
    }
  });
  return removed;
}

void SqliteStore::erase_customer(ErasureRequest request, Completion<ErasureOutcome> done) {
  auto files = std::make_shared<std::vector<std::string>>();
  submit<ErasureOutcome>(
      [this, request = std::move(request), files](sqlite::Connection& db) {
        ErasureOutcome out;
        {
          Query q(db.cached("SELECT COALESCE(merged_into, 0) FROM customers WHERE id = ?"),
                  request.customer_id);
          if (!q.step()) throw std::invalid_argument(not_found(request.customer_id));
          if (q->int64(0) != 0)
            throw std::runtime_error("conflict: customer " + std::to_string(request.customer_id) +
                                     " was merged into customer " + std::to_string(q->int64(0)) +
                                     "; erase that customer");
        }
        // The records merged into this one are the same person.
        {
          Query q(db.cached("WITH RECURSIVE person(id) AS (SELECT ?1 UNION SELECT c.id FROM "
                            "customers c JOIN person p ON c.merged_into = p.id) "
                            "SELECT id FROM person ORDER BY id"),
                  request.customer_id);
          while (q.step()) out.customers.push_back(q->int64(0));
        }
        for (const Id customer : out.customers) {
          Query q(db.cached("SELECT 1 FROM legal_holds WHERE customer_id = ?"), customer);
          if (q.step())
            throw std::runtime_error(
                "conflict: customer " + std::to_string(customer) +
                " is under legal hold; the hold must be lifted before the customer can be erased");
        }
        const SecureDelete secure(db);
        Emptied emptied;
        for (const Id customer : out.customers) {
          std::vector<std::pair<Id, std::string>> conversations;
          {
            // Shells emptied before keep their record of it; an erasure run again only purges.
            Query q(db.cached("SELECT id, status FROM conversations WHERE customer_id = ? AND "
                              "erased_at IS NULL ORDER BY id"),
                    customer);
            while (q.step()) conversations.emplace_back(q->int64(0), q->text(1));
          }
          for (const auto& [id, status] : conversations) {
            empty_conversation(db, id, "erasure", request.actor, request.at, emptied);
            out.conversations.push_back(id);
            if (status != "resolved" && status != "closed") out.open_conversations.push_back(id);
          }
          for (const char* sql : kCustomerTraces) Query(db.cached(sql), customer).step();
        }
        // The index's old segments still hold the words until they are merged away.
        db.exec("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')");
        out.messages = emptied.messages;
        *files = std::move(emptied.attachment_sha256);
        return out;
      },
      [this, files, done = std::move(done)](Outcome<ErasureOutcome> r) {
        if (r.ok) r.value.attachment_files = purge_freed(*files, true, &r.value.purged);
        if (done) done(std::move(r));
      });
}

void SqliteStore::set_legal_hold(LegalHoldChange change, Completion<bool> done) {
  submit<bool>(
      [change = std::move(change)](sqlite::Connection& db) {
        {
          Query q(db.cached("SELECT 1 FROM customers WHERE id = ?"), change.customer_id);
          if (!q.step()) throw std::invalid_argument(not_found(change.customer_id));
        }
        if (change.hold) {
          Query(db.cached("INSERT OR IGNORE INTO legal_holds(customer_id, reason, actor, held_at) "
                          "VALUES (?, ?, ?, ?)"),
                change.customer_id, change.reason, change.actor, change.at)
              .step();
        } else {
          Query(db.cached("DELETE FROM legal_holds WHERE customer_id = ?"), change.customer_id)
              .step();
        }
        return db.changes() > 0;
      },
      std::move(done));
}

std::optional<LegalHold> SqliteStore::legal_hold(Id customer_id) {
  Query q(reader().cached("SELECT reason, actor, held_at FROM legal_holds WHERE customer_id = ?"),
          customer_id);
  if (!q.step()) return std::nullopt;
  return LegalHold{customer_id, q->text(0), q->text(1), q->int64(2)};
}

void SqliteStore::apply_retention(RetentionRun run, Completion<RetentionOutcome> done) {
  auto files = std::make_shared<std::vector<std::string>>();
  submit<RetentionOutcome>(
      [this, run = std::move(run), files](sqlite::Connection& db) {
        RetentionOutcome out;
        std::set<Id> expired, held;
        for (const auto& rule : run.rules) {
          const UnixMs before = run.now - std::int64_t{rule.delete_after_days} * 86'400'000;
          Query q(db.cached("SELECT c.id, EXISTS (SELECT 1 FROM legal_holds h WHERE "
                            "h.customer_id = c.customer_id) FROM conversations c "
                            "WHERE (c.status = 'resolved' OR c.status = 'closed') AND "
                            "c.erased_at IS NULL AND c.updated_at < ?1 AND (?2 = '' OR "
                            "c.channel_instance = ?2 OR c.channel_kind = ?2) AND "
                            "(?3 = '' OR c.tier = ?3)"),
                  before, rule.channel, rule.tier);
          while (q.step()) (q->int64(1) != 0 ? held : expired).insert(q->int64(0));
        }
        const SecureDelete secure(db);
        Emptied emptied;
        for (const Id id : expired) {
          empty_conversation(db, id, "retention", run.actor, run.now, emptied);
          out.conversations.push_back(id);
        }
        out.messages = emptied.messages;
        out.held = static_cast<int>(held.size());
        *files = std::move(emptied.attachment_sha256);
        return out;
      },
      [this, files, done = std::move(done)](Outcome<RetentionOutcome> r) {
        // No VACUUM: a daily rewrite of a large file would stall every write; secure_delete
        // has zeroed what was freed, and the space is reused.
        if (r.ok) purge_freed(*files, false, nullptr);
        if (done) done(std::move(r));
      });
}

}  // namespace omnigate::store
