// SqliteStore: opening, the writer/reader plumbing, conversation/agent/outbox/kv writes and all
// reads. Message-carrying writes are in sqlite_store_ingest.cpp.
#include "store/sqlite_store.hpp"

#include "store/attachment_files.hpp"
#include "store/identity.hpp"
#include "store/identity_renormalisation.hpp"
#include "store/migrations.hpp"
#include "store/model_json.hpp"

#include "omnigate/utf8.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <variant>

namespace omnigate::store {
namespace {

using sqlite::Query;

UnixMs or_now(UnixMs t) {
  return t != 0 ? t : wall_clock_ms();
}

std::string not_found(const char* what, Id id) {
  return std::string(what) + " " + std::to_string(id) + " does not exist";
}

// Throws when the last UPDATE touched no row, so the completion reports a clear error.
void require_changed(sqlite::Connection& db, const std::string& error) {
  if (db.changes() == 0) throw std::invalid_argument(error);
}

bool outbox_row_quarantined(sqlite::Connection& db, Id outbox_id) {
  Query q(db.cached("SELECT 1 FROM outbox WHERE id = ? AND state = 'quarantined'"), outbox_id);
  return q.step();
}

constexpr const char* kConversationColumns =
    "id, customer_id, tier, channel_instance, channel_kind, thread_key, subject, "
    "customer_address, our_address, status, priority, skills_json, assigned_agent, "
    "previous_agent, created_at, updated_at, queued_at, first_response_at, first_response_due, "
    "resolution_due, last_inbound_message_id, team, complaint_at, resolution_max_due, "
    "sla_paused_since, sla_deadlines_shifted";

Conversation read_conversation(sqlite::Statement& s) {
  Conversation c;
  c.id = s.int64(0);
  c.customer_id = s.int64(1);
  c.tier = tier_from_string(s.text(2)).value_or(Tier::C);
  c.channel_instance = s.text(3);
  c.channel_kind = s.text(4);
  c.thread_key = s.text(5);
  c.subject = s.text(6);
  c.customer_address = s.text(7);
  c.our_address = s.text(8);
  c.status = status_from_string(s.text(9)).value_or(ConversationStatus::queued);
  c.priority = static_cast<int>(s.int64(10));
  c.skills = skills_from_json(s.text(11));
  c.assigned_agent = s.optional_text(12);
  c.previous_agent = s.optional_text(13);
  c.created_at = s.int64(14);
  c.updated_at = s.int64(15);
  c.queued_at = s.int64(16);
  c.first_response_at = s.optional_int64(17);
  c.first_response_due = s.optional_int64(18);
  c.resolution_due = s.optional_int64(19);
  c.last_inbound_message_id = s.int64(20);
  c.team = s.text(21);
  c.complaint_at = s.optional_int64(22);
  c.resolution_max_due = s.optional_int64(23);
  c.sla_paused_since = s.optional_int64(24);
  c.sla_deadlines_shifted = s.int64(25) != 0;
  return c;
}

constexpr const char* kAgentColumns =
    "id, display_name, team, skills_json, tiers_json, capacity_json, presence, presence_since, "
    "contact_json";

Agent read_agent(sqlite::Statement& s) {
  Agent a;
  a.id = s.text(0);
  a.display_name = s.text(1);
  a.team = s.text(2);
  a.skills = skills_from_json(s.text(3));
  a.tiers = tiers_from_json(s.text(4));
  a.capacity = capacity_from_json(s.text(5));
  a.presence = presence_from_string(s.text(6)).value_or(Presence::offline);
  a.presence_since = s.int64(7);
  a.contact_json = s.text(8);
  return a;
}

}  // namespace

UnixMs wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options) {
  return std::make_unique<SqliteStore>(options);
}

SqliteStore::SqliteStore(const SqliteOptions& options)
    : options_(options), redactor_(options.redaction_patterns), files_(options.attachments_dir) {
  if (options_.path.empty()) throw std::runtime_error("store: database path is empty");
  if (options_.attachments_dir.empty()) {
    throw std::runtime_error("store: attachments directory is empty");
  }
  load_phone_number_metadata();
  write_db_ = std::make_unique<sqlite::Connection>(options_.path,
                                                   sqlite::Connection::Mode::read_write_create);
  write_db_->exec("PRAGMA journal_mode = WAL");
  // FULL: a commit is on disk before the webhook is acknowledged. Group commit pays one fsync
  // per batch, which is what makes FULL affordable.
  write_db_->exec(options_.synchronous_full ? "PRAGMA synchronous = FULL"
                                            : "PRAGMA synchronous = NORMAL");
  write_db_->exec("PRAGMA foreign_keys = ON");
  apply_migrations(*write_db_);
  if (identities_region(*write_db_) != options_.phone_region) {
    write_db_->exec("BEGIN IMMEDIATE");
    try {
      renormalise_identities(*write_db_, options_.phone_region);
      write_db_->exec("COMMIT");
    } catch (...) {
      write_db_->exec("ROLLBACK");
      throw;
    }
  }
  GroupCommitWriter::BatchHooks hooks;
  // Another connection (an admin command in another process) committed since our last batch:
  // what the ingests remembered may be stale.
  hooks.begun = [this](sqlite::Connection& db) {
    Query q(db.cached("PRAGMA data_version"));
    const std::int64_t version = q.step() ? q->int64(0) : -1;
    if (version != data_version_) memo_.clear();
    data_version_ = version;
  };
  hooks.rolled_back = [this] { memo_.clear(); };
  writer_ = std::make_unique<GroupCommitWriter>(*write_db_, options_.max_batch, std::move(hooks));
}

SqliteStore::~SqliteStore() {
  writer_.reset();  // drains every queued write and joins the writer thread
  std::lock_guard lock(readers_mutex_);
  readers_.clear();
}

int SqliteStore::schema_version() {
  int version = 0;
  writer_->with_exclusive([&](sqlite::Connection& db) { version = store::schema_version(db); });
  return version;
}

int SqliteStore::migrate() {
  int version = 0;
  writer_->with_exclusive([&](sqlite::Connection& db) {
    memo_.clear();
    version = apply_migrations(db);
  });
  return version;
}

void SqliteStore::flush() {
  std::promise<void> committed;
  auto future = committed.get_future();
  // Batches commit in queue order, so once this empty write's batch is done every earlier
  // write has been committed (or failed) too.
  writer_->submit({[](sqlite::Connection&) {},
                   [&committed](bool, const std::string&) { committed.set_value(); }});
  future.wait();
}

sqlite::Connection& SqliteStore::reader() {
  std::lock_guard lock(readers_mutex_);
  auto& slot = readers_[std::this_thread::get_id()];
  if (!slot) {
    slot = std::make_unique<sqlite::Connection>(options_.path, sqlite::Connection::Mode::read_only);
  }
  return *slot;
}

// ---- conversation writes

void SqliteStore::assign_conversation(Id conversation_id, std::string agent_id,
                                      std::string reason_json, Completion<Nothing> done) {
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        if (agent_id.empty()) throw std::invalid_argument("assignment without an agent");
        const std::string data =
            json_object_with(reason_json, {{"agent", agent_id}}, "reason_json");
        const UnixMs now = wall_clock_ms();
        Query(db.cached("UPDATE conversations SET status = 'assigned', assigned_agent = ?2, "
                        "updated_at = ?3 WHERE id = ?1 AND status <> 'closed'"),
              conversation_id, agent_id, now)
            .step();
        require_changed(db, not_found("open conversation", conversation_id));
        insert_event(db, conversation_id, "conversation.assigned", "system", data, std::nullopt,
                     now);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::requeue_conversation(Id conversation_id, std::string actor,
                                       std::string reason_json, Completion<Nothing> done) {
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        const std::string data = json_object_with(reason_json, {}, "reason_json");
        const UnixMs now = wall_clock_ms();
        // queued_at stays: the engine keeps a re-queued conversation at its original place
        // (and SLA clock), and a rebuild from the store must put it back there.
        Query(db.cached("UPDATE conversations SET status = 'queued', "
                        "updated_at = ?2, previous_agent = COALESCE(assigned_agent, "
                        "previous_agent), assigned_agent = NULL WHERE id = ?1 AND status <> "
                        "'closed'"),
              conversation_id, now)
            .step();
        require_changed(db, not_found("open conversation", conversation_id));
        insert_event(db, conversation_id, "conversation.requeued", actor, data, std::nullopt, now);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_conversation_team(Id conversation_id, std::string team,
                                        Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE conversations SET team = ?2, updated_at = ?3 WHERE id = ?1"),
              conversation_id, team, wall_clock_ms())
            .step();
        require_changed(db, not_found("conversation", conversation_id));
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_conversation_status(Id conversation_id, ConversationStatus status,
                                          std::string actor, Completion<Nothing> done) {
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        const UnixMs now = wall_clock_ms();
        // Back to the queue restarts the wait; the agent who had it becomes the sticky one.
        Query(db.cached("UPDATE conversations SET status = ?2, updated_at = ?3, "
                        "queued_at = CASE WHEN ?2 = 'queued' THEN ?3 ELSE queued_at END, "
                        "previous_agent = CASE WHEN ?2 = 'queued' THEN COALESCE(assigned_agent, "
                        "previous_agent) ELSE previous_agent END, "
                        "assigned_agent = CASE WHEN ?2 = 'queued' THEN NULL ELSE assigned_agent "
                        "END WHERE id = ?1"),
              conversation_id, to_string(status), now)
            .step();
        require_changed(db, not_found("conversation", conversation_id));
        insert_event(db, conversation_id, std::string("conversation.") + to_string(status), actor,
                     "{}", std::nullopt, now);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::add_event(EventRecord ev, Completion<Id> done) {
  submit<Id>(
      [this, ev = std::move(ev)](sqlite::Connection& db) {
        if (ev.kind.empty()) throw std::invalid_argument("event without a kind");
        {
          Query q(db.cached("SELECT 1 FROM conversations WHERE id = ?"), ev.conversation_id);
          if (!q.step()) throw std::invalid_argument(not_found("conversation", ev.conversation_id));
        }
        return insert_event(
            db, ev.conversation_id, ev.kind, ev.actor.empty() ? std::string("system") : ev.actor,
            json_object_with(ev.data_json, {}, "event data_json"), std::nullopt, or_now(ev.at));
      },
      std::move(done));
}

void SqliteStore::record_channel_outcome(ChannelOutcome outcome, Completion<Nothing> done) {
  submit<Nothing>(
      [this, o = std::move(outcome)](sqlite::Connection& db) {
        if (o.event.kind.empty()) throw std::invalid_argument("event without a kind");
        const UnixMs at = or_now(o.event.at);
        const std::optional<std::string> status =
            o.status ? std::optional<std::string>(to_string(*o.status)) : std::nullopt;
        Query(db.cached("UPDATE conversations SET status = COALESCE(?2, status), updated_at = ?3, "
                        "first_response_at = CASE WHEN ?4 THEN COALESCE(first_response_at, ?3) "
                        "ELSE first_response_at END WHERE id = ?1 AND status <> 'closed'"),
              o.event.conversation_id, status, at, o.first_response ? 1 : 0)
            .step();
        require_changed(db, not_found("open conversation", o.event.conversation_id));
        insert_event(db, o.event.conversation_id, o.event.kind,
                     o.event.actor.empty() ? std::string("system") : o.event.actor,
                     json_object_with(o.event.data_json, {}, "event data_json"), std::nullopt, at);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_sla_clock(Id conversation_id, SlaClock clock, Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE conversations SET first_response_due = ?, resolution_due = ?, "
                        "resolution_max_due = ?, sla_paused_since = ?, sla_deadlines_shifted = ? "
                        "WHERE id = ?"),
              clock.first_response_due, clock.resolution_due, clock.resolution_max_due,
              clock.paused_since, static_cast<std::int64_t>(clock.deadlines_shifted),
              conversation_id)
            .step();
        require_changed(db, not_found("conversation", conversation_id));
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_sla_deadlines(Id conversation_id, std::optional<UnixMs> first_response_due,
                                    std::optional<UnixMs> resolution_due,
                                    Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE conversations SET first_response_due = ?, resolution_due = ? "
                        "WHERE id = ?"),
              first_response_due, resolution_due, conversation_id)
            .step();
        require_changed(db, not_found("conversation", conversation_id));
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_conversation_priority(PriorityChange change, Completion<int> done) {
  submit<int>(
      [this, change = std::move(change)](sqlite::Connection& db) {
        if (change.priority < 1 || change.priority > 4) {
          throw std::invalid_argument("priority must be 1..4, got " +
                                      std::to_string(change.priority));
        }
        int from = 0;
        {
          Query q(db.cached("SELECT priority FROM conversations WHERE id = ? AND status <> "
                            "'resolved' AND status <> 'closed'"),
                  change.conversation_id);
          if (!q.step())
            throw std::invalid_argument(not_found("open conversation", change.conversation_id));
          from = static_cast<int>(q->int64(0));
        }
        const UnixMs now = or_now(change.at);
        Query(db.cached("UPDATE conversations SET priority = ?, updated_at = ? WHERE id = ?"),
              change.priority, now, change.conversation_id)
            .step();
        insert_event(
            db, change.conversation_id, "conversation.priority_changed", change.actor,
            nlohmann::json{{"from", from}, {"to", change.priority}, {"reason", change.reason}}
                .dump(),
            std::nullopt, now);
        return from;
      },
      std::move(done));
}

void SqliteStore::set_customer_tier(Id customer_id, Tier tier, std::string actor,
                                    Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE customers SET tier = ? WHERE id = ?"), to_string(tier), customer_id)
            .step();
        require_changed(db, not_found("customer", customer_id));
        // Conversations keep the tier they were opened with (a snapshot for SLA and reports);
        // the change itself is audited.
        Query(db.cached("INSERT INTO audit(actor, action, object, detail_json, created_at) "
                        "VALUES (?, 'customer.tier', ?, ?, ?)"),
              actor, "customer:" + std::to_string(customer_id),
              std::string("{\"tier\":\"") + to_string(tier) + "\"}", wall_clock_ms())
            .step();
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::update_customer(CustomerUpdate u, Completion<CustomerChange> done) {
  submit<CustomerChange>(
      [this, u = std::move(u)](sqlite::Connection& db) {
        CustomerChange change;
        auto before = read_customer(db, u.customer_id);
        if (!before) throw std::invalid_argument(not_found("customer", u.customer_id));
        Customer after = *before;
        if (u.display_name) after.display_name = *u.display_name;
        // A person restating the same tier still pins it against rules; a rule restating it
        // changes nothing.
        if (u.tier && (*u.tier != before->tier || u.tier_source == TierSource::manual)) {
          after.tier = *u.tier;
          after.tier_source = u.tier_source;
        }
        if (u.account_team) after.account_team = *u.account_team;
        if (u.account_manager) after.account_manager = *u.account_manager;
        if (u.attributes_json)
          after.attributes_json = json_object_with(*u.attributes_json, {}, "attributes_json");
        Query(db.cached("UPDATE customers SET display_name = ?, tier = ?, tier_source = ?, "
                        "account_team = ?, account_manager = ?, attributes_json = ? WHERE id = ?"),
              after.display_name, to_string(after.tier), to_string(after.tier_source),
              after.account_team, after.account_manager, after.attributes_json, u.customer_id)
            .step();
        const UnixMs now = wall_clock_ms();
        const std::string reason =
            u.reason_json.empty() ? "{}" : json_object_with(u.reason_json, {}, "reason_json");
        const std::string actor = u.actor.empty() ? "system" : u.actor;
        if (after.tier != before->tier) {
          Query(db.cached("INSERT INTO customer_tier_changes(customer_id, old_tier, new_tier, "
                          "source, actor, reason_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                u.customer_id, to_string(before->tier), to_string(after.tier),
                to_string(after.tier_source), actor, reason, now)
              .step();
        }
        const bool routing_changed = after.tier != before->tier ||
                                     after.account_team != before->account_team ||
                                     after.account_manager != before->account_manager;
        if (routing_changed) {
          {
            Query open(db.cached("SELECT id FROM conversations WHERE customer_id = ? AND status "
                                 "IN ('queued', 'assigned', 'waiting_customer') ORDER BY id"),
                       u.customer_id);
            while (open.step()) change.open_conversations.push_back(open->int64(0));
          }
          const std::string data =
              json_object_with(u.reason_json.empty() ? "" : R"({"reason":)" + reason + "}",
                               {{"old_tier", to_string(before->tier)},
                                {"new_tier", to_string(after.tier)},
                                {"old_account_team", before->account_team},
                                {"new_account_team", after.account_team},
                                {"old_account_manager", before->account_manager},
                                {"new_account_manager", after.account_manager}},
                               "tier change");
          for (const Id id : change.open_conversations) {
            Query(db.cached("UPDATE conversations SET tier = ?, updated_at = ? WHERE id = ?"),
                  to_string(after.tier), now, id)
                .step();
            insert_event(db, id, "customer.tier_changed", actor, data, std::nullopt, now);
          }
        }
        change.before = std::move(*before);
        change.after = std::move(after);
        return change;
      },
      std::move(done));
}

// ---- outbox

void SqliteStore::outbox_begin_attempt(Id outbox_id, Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        const UnixMs now = wall_clock_ms();
        Query(db.cached("UPDATE outbox SET attempts = attempts + 1, state = 'sending', "
                        "updated_at = ? WHERE id = ? AND state IN ('pending', 'retry', 'sending')"),
              now, outbox_id)
            .step();
        require_changed(db, not_found("unfinished outbox row", outbox_id));
        Query(db.cached("UPDATE messages SET delivery_state = 'sending' WHERE id = (SELECT "
                        "message_id FROM outbox WHERE id = ?) AND delivery_state = 'pending'"),
              outbox_id)
            .step();
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::outbox_mark_sent(Id outbox_id, std::string provider_message_id,
                                   Completion<Nothing> done) {
  // Provider answers are stored as text like customers' (customer_text.hpp).
  utf8::repair(provider_message_id);
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        Query(db.cached("UPDATE outbox SET state = 'sent', provider_message_id = ?, last_error = "
                        "'', updated_at = ? WHERE id = ?"),
              provider_message_id, wall_clock_ms(), outbox_id)
            .step();
        require_changed(db, not_found("outbox row", outbox_id));
        // Only pending/sending become sent: a receipt may already have moved the state further.
        Query(db.cached("UPDATE messages SET provider_message_id = ?1, delivery_state = CASE WHEN "
                        "delivery_state IN ('pending', 'sending') THEN 'sent' ELSE delivery_state "
                        "END WHERE id = (SELECT message_id FROM outbox WHERE id = ?2)"),
              provider_message_id, outbox_id)
            .step();
        apply_early_receipts(db, outbox_id);
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::outbox_mark_retry(Id outbox_id, UnixMs next_attempt_at, std::string error,
                                    Completion<Nothing> done) {
  utf8::repair(error);
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE outbox SET state = 'retry', next_attempt_at = ?, last_error = ?, "
                        "updated_at = ? WHERE id = ? AND state <> 'sent' AND state <> "
                        "'quarantined'"),
              next_attempt_at, error, wall_clock_ms(), outbox_id)
            .step();
        // A row quarantined meanwhile (its send crashed the plugin) waits for an operator.
        if (db.changes() == 0 && !outbox_row_quarantined(db, outbox_id))
          throw std::invalid_argument(not_found("unsent outbox row", outbox_id));
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::outbox_mark_failed(Id outbox_id, std::string error_code, std::string error_text,
                                     Completion<Nothing> done) {
  utf8::repair(error_code);
  utf8::repair(error_text);
  submit<Nothing>(
      [=, this](sqlite::Connection& db) {
        // A row quarantined meanwhile (its send crashed the plugin) waits for an operator.
        if (outbox_row_quarantined(db, outbox_id)) return Nothing{};
        if (!fail_outbox_row(db, outbox_id, error_code, error_text, wall_clock_ms()))
          throw std::invalid_argument(not_found("outbox row", outbox_id));
        return Nothing{};
      },
      std::move(done));
}

bool SqliteStore::fail_outbox_row(sqlite::Connection& db, Id outbox_id,
                                  const std::string& error_code, const std::string& error_text,
                                  UnixMs now) {
  Query(
      db.cached("UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?"),
      error_code.empty() ? error_text : error_code + ": " + error_text, now, outbox_id)
      .step();
  if (db.changes() == 0) return false;
  Id message_id = 0, conversation_id = 0;
  {
    Query q(db.cached("SELECT m.id, m.conversation_id FROM outbox o JOIN messages m ON "
                      "m.id = o.message_id WHERE o.id = ?"),
            outbox_id);
    q.step();
    message_id = q->int64(0);
    conversation_id = q->int64(1);
  }
  Query(db.cached("UPDATE messages SET delivery_state = 'failed', error_code = ?, "
                  "error_text = ? WHERE id = ?"),
        error_code, error_text, message_id)
      .step();
  // The message named in data, as a receipt's delivery.* event names it (not in the event's
  // message_id: that column places a message in the transcript).
  insert_event(
      db, conversation_id, "delivery.failed", "system",
      nlohmann::json{
          {"message_id", message_id}, {"error_code", error_code}, {"error_text", error_text}}
          .dump(),
      std::nullopt, now);
  return true;
}

std::vector<OutboxItem> SqliteStore::due_outbox(UnixMs now, int limit) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<OutboxItem> items;
  {
    Query q(
        db.cached("SELECT o.id, o.message_id, m.conversation_id, o.channel_instance, "
                  "o.idempotency_key, c.customer_address_kind, c.customer_address, c.our_address, "
                  "c.thread_key, CASE WHEN m.subject <> '' THEN m.subject ELSE c.subject END, "
                  "m.body_text, m.body_html, COALESCE(inbound.provider_message_id, ''), "
                  "COALESCE(a.display_name, m.author_id), o.attempts, o.state, o.next_attempt_at, "
                  "o.created_at FROM outbox o JOIN messages m ON m.id = o.message_id "
                  "JOIN conversations c ON c.id = m.conversation_id "
                  "LEFT JOIN messages inbound ON inbound.id = c.last_inbound_message_id "
                  "LEFT JOIN agents a ON a.id = m.author_id "
                  "WHERE (o.state IN ('pending', 'retry') AND o.next_attempt_at <= ?) "
                  "OR o.state = 'sending' ORDER BY o.id LIMIT ?"),
        now, limit);
    while (q.step()) {
      OutboxItem it;
      it.id = q->int64(0);
      it.message_id = q->int64(1);
      it.conversation_id = q->int64(2);
      it.channel_instance = q->text(3);
      it.idempotency_key = q->text(4);
      it.to_kind = q->text(5);
      it.to_address = q->text(6);
      it.from_address = q->text(7);
      it.thread_key = q->text(8);
      it.subject = q->text(9);
      it.body_text = q->text(10);
      it.body_html = q->text(11);
      it.in_reply_to = q->text(12);
      it.author_name = q->text(13);
      it.attempts = static_cast<int>(q->int64(14));
      it.state = q->text(15);
      it.next_attempt_at = q->int64(16);
      it.created_at = q->int64(17);
      items.push_back(std::move(it));
    }
  }
  for (auto& it : items) {
    if (it.attempts == 0) continue;
    // An hour before the enqueue covers any clock skew a channel's lookup allows for.
    constexpr UnixMs kTakenWindowMs = 3600 * 1000;
    Query q(db.cached("SELECT provider_message_id FROM messages WHERE conversation_id = ? AND "
                      "direction = 'out' AND id <> ? AND provider_message_id <> '' AND "
                      "created_at >= ? ORDER BY id"),
            it.conversation_id, it.message_id, it.created_at - kTakenWindowMs);
    while (q.step()) it.taken_provider_ids.push_back(q->text(0));
  }
  for (auto& it : items) {
    Query q(db.cached("SELECT filename, content_type, sha256, url, size, content_id, "
                      "disposition FROM attachments WHERE message_id = ? ORDER BY id"),
            it.message_id);
    while (q.step()) {
      AttachmentRecord a;
      a.filename = q->text(0);
      a.content_type = q->text(1);
      a.blob_sha256 = q->text(2);
      a.url = q->text(3);
      a.size = q->int64(4);
      a.content_id = q->text(5);
      a.disposition = q->text(6);
      // Large bytes stay on disk: the channel reads them in chunks by reference.
      if (!a.blob_sha256.empty() && a.size <= kInlineOutboundAttachmentBytes)
        a.data = files_.get(a.blob_sha256);
      it.attachments.push_back(std::move(a));
    }
  }
  return items;
}

std::vector<UnsettledSend> SqliteStore::unsettled_sends(const std::string& instance,
                                                        UnixMs sent_after, UnixMs sent_before,
                                                        Id after_id, int limit) {
  auto& db = reader();
  std::vector<UnsettledSend> items;
  // outbox_sent (migration 10) keeps this a range read over the window, not over every reply.
  Query q(db.cached("SELECT o.id, o.provider_message_id, m.delivery_state, o.updated_at "
                    "FROM outbox o JOIN messages m ON m.id = o.message_id "
                    "WHERE o.channel_instance = ? AND o.state = 'sent' AND o.updated_at >= ? "
                    "AND o.updated_at < ? AND o.id > ? AND o.provider_message_id <> '' "
                    "AND m.delivery_state IN ('queued', 'sent') ORDER BY o.id LIMIT ?"),
          instance, sent_after, sent_before, after_id, limit);
  while (q.step()) {
    UnsettledSend it;
    it.outbox_id = q->int64(0);
    it.provider_message_id = q->text(1);
    it.delivery_state = q->text(2);
    it.sent_at = q->int64(3);
    items.push_back(std::move(it));
  }
  return items;
}

// ---- agents, users

void SqliteStore::upsert_agent(Agent agent, Completion<Nothing> done) {
  submit<Nothing>(
      [agent = std::move(agent)](sqlite::Connection& db) {
        if (agent.id.empty()) throw std::invalid_argument("agent without an id");
        Query(db.cached("INSERT INTO agents(id, display_name, team, skills_json, tiers_json, "
                        "capacity_json, presence, presence_since, contact_json) VALUES (?, ?, ?, "
                        "?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, "
                        "team = excluded.team, skills_json = excluded.skills_json, tiers_json = "
                        "excluded.tiers_json, capacity_json = excluded.capacity_json, presence = "
                        "excluded.presence, presence_since = excluded.presence_since, "
                        "contact_json = excluded.contact_json"),
              agent.id, agent.display_name, agent.team, skills_to_json(agent.skills),
              tiers_to_json(agent.tiers), capacity_to_json(agent.capacity),
              to_string(agent.presence), or_now(agent.presence_since),
              agent.contact_json.empty() ? std::string("{}") : agent.contact_json)
            .step();
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::set_agent_presence(std::string agent_id, Presence presence,
                                     Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("UPDATE agents SET presence = ?, presence_since = ? WHERE id = ?"),
              to_string(presence), wall_clock_ms(), agent_id)
            .step();
        require_changed(db, "agent '" + agent_id + "' does not exist");
        return Nothing{};
      },
      std::move(done));
}

std::vector<Agent> SqliteStore::list_agents() {
  static const std::string sql =
      std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id";
  auto& db = reader();
  std::vector<Agent> out;
  Query q(db.cached(sql.c_str()));
  while (q.step()) out.push_back(read_agent(*q.operator->()));
  return out;
}

std::optional<Agent> SqliteStore::get_agent(const std::string& agent_id) {
  static const std::string sql =
      std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = ?";
  Query q(reader().cached(sql.c_str()), agent_id);
  if (!q.step()) return std::nullopt;
  return read_agent(*q.operator->());
}

void SqliteStore::delete_agent(std::string agent_id, Completion<Nothing> done) {
  submit<Nothing>(
      [agent_id = std::move(agent_id)](sqlite::Connection& db) {
        {
          // A user left pointing at a missing agent could log in but never take work.
          Query users(db.cached("SELECT name FROM users WHERE agent_id = ? ORDER BY name LIMIT 1"),
                      agent_id);
          if (users.step())
            throw std::invalid_argument("agent '" + agent_id + "' is the profile of user '" +
                                        users->text(0) + "'; remove the user first");
        }
        Query(db.cached("DELETE FROM agents WHERE id = ?"), agent_id).step();
        require_changed(db, "agent '" + agent_id + "' does not exist");
        return Nothing{};
      },
      std::move(done));
}

// ---- reads

std::optional<Conversation> SqliteStore::get_conversation(Id id) {
  static const std::string sql =
      std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = ?";
  Query q(reader().cached(sql.c_str()), id);
  if (!q.step()) return std::nullopt;
  return read_conversation(*q.operator->());
}

namespace {

// ConversationFilter::text as a LIKE pattern ("" for no text): LIKE's own characters in the text
// match themselves.
std::string like_pattern(const std::string& text) {
  if (text.empty()) return {};
  std::string pattern = "%";
  for (const char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  return pattern + '%';
}

}  // namespace

std::vector<Conversation> SqliteStore::list_conversations(const ConversationFilter& filter) {
  static const std::string sql =
      std::string("SELECT ") + kConversationColumns +
      " FROM conversations WHERE (?1 IS NULL OR assigned_agent = ?1) AND (?2 IS NULL OR status = "
      "?2) AND (?3 IS NULL OR channel_instance = ?3) AND (?6 IS NULL OR customer_id = ?6) AND (?7 "
      "IS NULL OR tier = ?7) AND (?8 IS NULL OR priority = ?8) AND (?9 IS NULL OR team = ?9) AND "
      "(?10 = '' OR subject LIKE ?10 ESCAPE '\\' OR customer_address LIKE ?10 ESCAPE '\\' OR "
      "customer_id IN (SELECT id FROM customers WHERE display_name LIKE ?10 ESCAPE '\\')) AND "
      "id > ?4 ORDER BY id LIMIT ?5";
  std::optional<std::string> status;
  if (filter.status) status = to_string(*filter.status);
  std::optional<std::string> tier;
  if (filter.tier) tier = to_string(*filter.tier);
  std::string pattern = like_pattern(filter.text);
  std::vector<Conversation> out;
  Query q(reader().cached(sql.c_str()), filter.assigned_agent, status, filter.channel_instance,
          filter.after_id, static_cast<std::int64_t>(filter.limit > 0 ? filter.limit : 100),
          filter.customer_id, tier, filter.priority, filter.team, pattern);
  while (q.step()) out.push_back(read_conversation(*q.operator->()));
  return out;
}

// One statement for the whole list: the customer's name by its primary key and the latest message
// through messages_conversation, per row. Unlike list_conversations, whose `?N IS NULL OR` terms
// keep one cached statement but leave SQLite walking every conversation ever stored, the WHERE
// here names only the filters that are set, so `assigned_agent = ?` and `status = ?` use their
// indexes (a few thousand open conversations among years of closed ones). The statements are
// cached per combination of filters (at most 2^8).
std::vector<ConversationRow> SqliteStore::list_conversation_rows(const ConversationFilter& filter) {
  std::string sql =
      std::string("SELECT ") + kConversationColumns +
      ", (SELECT cu.display_name FROM customers cu WHERE cu.id = c.customer_id), (SELECT "
      "substr(m.body_text, 1, ?) FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id "
      "DESC LIMIT 1) FROM conversations c WHERE c.id > ?";
  std::vector<std::variant<std::int64_t, std::string>> values{
      std::int64_t{ConversationRow::kPreviewChars}, filter.after_id};
  const auto where = [&](const char* term, std::variant<std::int64_t, std::string> value) {
    sql += term;
    values.push_back(std::move(value));
  };
  if (filter.assigned_agent) where(" AND c.assigned_agent = ?", *filter.assigned_agent);
  if (filter.status) where(" AND c.status = ?", to_string(*filter.status));
  if (filter.channel_instance) where(" AND c.channel_instance = ?", *filter.channel_instance);
  if (filter.customer_id) where(" AND c.customer_id = ?", *filter.customer_id);
  if (filter.tier) where(" AND c.tier = ?", to_string(*filter.tier));
  if (filter.priority) where(" AND c.priority = ?", std::int64_t{*filter.priority});
  if (filter.team) where(" AND c.team = ?", *filter.team);
  if (!filter.text.empty()) {
    const std::string pattern = like_pattern(filter.text);
    where(" AND (c.subject LIKE ? ESCAPE '\\'", pattern);
    where(" OR c.customer_address LIKE ? ESCAPE '\\'", pattern);
    where(" OR c.customer_id IN (SELECT id FROM customers WHERE display_name LIKE ? ESCAPE '\\'))",
          pattern);
  }
  sql += " ORDER BY c.id LIMIT ?";
  values.push_back(std::int64_t{filter.limit > 0 ? filter.limit : 100});

  auto& statement = reader().cached(sql.c_str());
  Query q(statement);  // binds nothing; resets the statement when done
  int index = 1;
  for (const auto& value : values) {
    if (const auto* number = std::get_if<std::int64_t>(&value))
      statement.bind(index++, *number);
    else
      statement.bind(index++, std::get<std::string>(value));
  }
  constexpr int kNameColumn = 26;  // after kConversationColumns
  constexpr int kPreviewColumn = 27;
  std::vector<ConversationRow> out;
  while (q.step())
    out.push_back({read_conversation(statement), q->optional_text(kNameColumn).value_or(""),
                   q->optional_text(kPreviewColumn).value_or("")});
  return out;
}

std::vector<Event> SqliteStore::events_of_kind(Id conversation_id, std::string kind_prefix) {
  auto& db = reader();
  std::vector<Event> out;
  Query q(db.cached("SELECT id, kind, actor, data_json, created_at FROM events "
                    "WHERE conversation_id = ?1 AND substr(kind, 1, length(?2)) = ?2 ORDER BY id"),
          conversation_id, kind_prefix);
  while (q.step())
    out.push_back(
        Event{q->int64(0), conversation_id, q->text(1), q->text(2), q->text(3), q->int64(4)});
  return out;
}

std::vector<ContactRecord> SqliteStore::contacts_created(UnixMs from, UnixMs to,
                                                         const std::string& channel_instance) {
  static const std::string sql =
      std::string("SELECT ") + kConversationColumns +
      ", (SELECT e.data_json FROM events e WHERE e.conversation_id = conversations.id AND e.kind "
      "= 'conversation.abandoned' ORDER BY e.id LIMIT 1), (SELECT cu.attributes_json FROM "
      "customers "
      "cu WHERE cu.id = conversations.customer_id) FROM conversations WHERE created_at >= ?1 AND "
      "created_at < ?2 AND (?3 = '' OR channel_instance = ?3) ORDER BY id";
  constexpr int kAbandonedColumn = 26;  // after kConversationColumns
  constexpr int kAttributesColumn = 27;
  std::vector<ContactRecord> out;
  Query q(reader().cached(sql.c_str()), from, to, channel_instance);
  while (q.step())
    out.push_back({read_conversation(*q.operator->()), q->optional_text(kAbandonedColumn),
                   q->optional_text(kAttributesColumn).value_or("{}")});
  return out;
}

std::vector<TranscriptEntry> SqliteStore::transcript(Id conversation_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<TranscriptEntry> out;
  {
    Query q(db.cached("SELECT e.id, e.kind, e.actor, e.data_json, e.created_at, m.id, m.direction, "
                      "m.author_kind, m.author_id, m.body_text, m.body_html, m.subject, "
                      "m.provider_message_id, m.delivery_state, m.error_code, m.error_text, "
                      "m.malformed, m.created_at, m.metadata_json FROM events e "
                      "LEFT JOIN messages m ON m.id = e.message_id "
                      "WHERE e.conversation_id = ? ORDER BY e.id"),
            conversation_id);
    while (q.step()) {
      TranscriptEntry entry;
      entry.seq = q->int64(0);
      if (q->is_null(5)) {
        entry.event =
            Event{entry.seq, conversation_id, q->text(1), q->text(2), q->text(3), q->int64(4)};
      } else {
        // The message's own event only gives it its place in the order; the entry is the message.
        Message m;
        m.id = q->int64(5);
        m.conversation_id = conversation_id;
        m.direction = q->text(6);
        m.author_kind = q->text(7);
        m.author_id = q->text(8);
        m.body_text = q->text(9);
        m.body_html = q->text(10);
        m.subject = q->text(11);
        m.provider_message_id = q->text(12);
        m.delivery_state = q->text(13);
        m.error_code = q->text(14);
        m.error_text = q->text(15);
        m.malformed = q->int64(16) != 0;
        m.created_at = q->int64(17);
        m.metadata_json = q->text(18);
        entry.message = std::move(m);
      }
      out.push_back(std::move(entry));
    }
  }
  Query a(db.cached("SELECT a.message_id, a.id, a.filename, a.content_type, a.sha256, a.url, "
                    "a.size, a.content_id, a.disposition FROM attachments a JOIN messages m ON "
                    "m.id = a.message_id WHERE "
                    "m.conversation_id = ? ORDER BY a.id"),
          conversation_id);
  while (a.step()) {
    const Id message_id = a->int64(0);
    for (auto& entry : out) {
      if (entry.message && entry.message->id == message_id) {
        entry.message->attachments.push_back({a->int64(1), a->text(2), a->text(3), a->text(4),
                                              a->text(5), a->int64(6), a->text(7), a->text(8)});
        break;
      }
    }
  }
  return out;
}

std::optional<Customer> SqliteStore::get_customer(Id customer_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  return read_customer(db, customer_id);
}

std::vector<Customer> SqliteStore::customers_after(Id after_id, int limit) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<Id> ids;
  {
    // A record merged into another is no one's record any more: nothing to value or match.
    Query q(db.cached("SELECT id FROM customers WHERE id > ? AND merged_into IS NULL ORDER BY id "
                      "LIMIT ?"),
            after_id, static_cast<std::int64_t>(limit));
    while (q.step()) ids.push_back(q->int64(0));
  }
  std::vector<Customer> out;
  out.reserve(ids.size());
  for (const Id id : ids)
    if (auto c = read_customer(db, id)) out.push_back(std::move(*c));
  return out;
}

std::vector<TierChange> SqliteStore::tier_changes(Id customer_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<TierChange> out;
  Query q(db.cached("SELECT old_tier, new_tier, source, actor, reason_json, at FROM "
                    "customer_tier_changes WHERE customer_id = ? ORDER BY id"),
          customer_id);
  while (q.step()) {
    TierChange c;
    c.customer_id = customer_id;
    c.old_tier = tier_from_string(q->text(0)).value_or(Tier::C);
    c.new_tier = tier_from_string(q->text(1)).value_or(Tier::C);
    c.source = tier_source_from_string(q->text(2)).value_or(TierSource::initial);
    c.actor = q->text(3);
    c.reason_json = q->text(4);
    c.at = q->int64(5);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<ValuationRun> SqliteStore::last_valuation_run() {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  Query q(
      db.cached("SELECT started_at, finished_at, trigger, actor, valued, changed, kept_manual "
                "FROM valuation_runs ORDER BY started_at DESC, id DESC LIMIT 1"));
  if (!q.step()) return std::nullopt;
  return ValuationRun{q->int64(0),
                      q->int64(1),
                      q->text(2),
                      q->text(3),
                      static_cast<int>(q->int64(4)),
                      static_cast<int>(q->int64(5)),
                      static_cast<int>(q->int64(6))};
}

void SqliteStore::record_valuation_run(ValuationRun run, Completion<Id> done) {
  submit<Id>(
      [run = std::move(run)](sqlite::Connection& db) {
        Query(db.cached("INSERT INTO valuation_runs(started_at, finished_at, trigger, actor, "
                        "valued, changed, kept_manual) VALUES (?, ?, ?, ?, ?, ?, ?)"),
              run.started_at, run.finished_at, run.trigger, run.actor,
              static_cast<std::int64_t>(run.valued), static_cast<std::int64_t>(run.changed),
              static_cast<std::int64_t>(run.kept_manual))
            .step();
        return db.last_insert_rowid();
      },
      std::move(done));
}

std::optional<Customer> SqliteStore::read_customer(sqlite::Connection& db, Id customer_id) {
  Customer c;
  {
    Query q(
        db.cached(
            "SELECT id, display_name, tier, attributes_json, account_team, "
            "account_manager, tier_source, COALESCE(merged_into, 0) FROM customers WHERE id = ?"),
        customer_id);
    if (!q.step()) return std::nullopt;
    c.id = q->int64(0);
    c.display_name = q->text(1);
    c.tier = tier_from_string(q->text(2)).value_or(Tier::C);
    c.attributes_json = q->text(3);
    c.account_team = q->text(4);
    c.account_manager = q->text(5);
    c.tier_source = tier_source_from_string(q->text(6)).value_or(TierSource::initial);
    c.merged_into = q->int64(7);
  }
  Query q(db.cached("SELECT kind, address FROM identities WHERE customer_id = ? ORDER BY id"),
          customer_id);
  while (q.step()) c.identities.emplace_back(q->text(0), q->text(1));
  return c;
}

std::optional<CustomerByIdentity> SqliteStore::customer_by_identity(std::string_view kind,
                                                                    std::string_view address) {
  const Identity identity = parse_identity(kind, address, options_.phone_region);
  if (identity.address.empty()) return std::nullopt;
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  Id customer_id = 0;
  {
    Query q(db.cached("SELECT customer_id FROM identities WHERE kind = ? AND address = ?"),
            identity.kind, identity.address);
    if (!q.step()) return std::nullopt;
    customer_id = q->int64(0);
  }
  auto customer = read_customer(db, customer_id);
  if (!customer) return std::nullopt;
  CustomerByIdentity out{std::move(*customer), 0};
  Query q(db.cached("SELECT COUNT(*) FROM conversations WHERE customer_id = ? AND status NOT IN "
                    "('resolved', 'closed')"),
          customer_id);
  if (q.step()) out.open_conversations = static_cast<int>(q->int64(0));
  return out;
}

std::optional<Id> SqliteStore::open_conversation_by_thread(const std::string& instance,
                                                           const std::string& thread_key) {
  Query q(reader().cached("SELECT id FROM conversations WHERE channel_instance = ? AND "
                          "thread_key = ? AND status NOT IN ('resolved', 'closed') "
                          "ORDER BY id DESC LIMIT 1"),
          instance, thread_key);
  if (!q.step()) return std::nullopt;
  return q->int64(0);
}

QueueCounts SqliteStore::queue_counts() {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  QueueCounts counts;
  {
    Query q(db.cached("SELECT status, COUNT(*) FROM conversations GROUP BY status"));
    while (q.step()) counts.by_status[q->text(0)] = q->int64(1);
  }
  Query q(db.cached("SELECT state, COUNT(*) FROM outbox GROUP BY state"));
  while (q.step()) counts.outbox_by_state[q->text(0)] = q->int64(1);
  return counts;
}

// ---- audit, kv

void SqliteStore::audit(AuditRecord rec, Completion<Nothing> done) {
  submit<Nothing>(
      [rec = std::move(rec)](sqlite::Connection& db) {
        if (rec.actor.empty() || rec.action.empty()) {
          throw std::invalid_argument("audit record needs an actor and an action");
        }
        Query(db.cached("INSERT INTO audit(actor, action, object, remote_addr, detail_json, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?)"),
              rec.actor, rec.action, rec.object, rec.remote_addr,
              rec.detail_json.empty() ? std::string("{}") : rec.detail_json, or_now(rec.at))
            .step();
        return Nothing{};
      },
      std::move(done));
}

std::optional<std::string> SqliteStore::kv_get(const std::string& instance,
                                               const std::string& key) {
  Query q(reader().cached("SELECT value FROM plugin_kv WHERE instance = ? AND key = ?"), instance,
          key);
  if (!q.step()) return std::nullopt;
  return q->text(0);
}

void SqliteStore::kv_put(std::string instance, std::string key, std::string value,
                         Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("INSERT INTO plugin_kv(instance, key, value) VALUES (?, ?, ?) ON "
                        "CONFLICT(instance, key) DO UPDATE SET value = excluded.value"),
              instance, key, value)
            .step();
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::kv_delete(std::string instance, std::string key, Completion<Nothing> done) {
  submit<Nothing>(
      [=](sqlite::Connection& db) {
        Query(db.cached("DELETE FROM plugin_kv WHERE instance = ? AND key = ?"), instance, key)
            .step();
        return Nothing{};
      },
      std::move(done));
}

}  // namespace omnigate::store
