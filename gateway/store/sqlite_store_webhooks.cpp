// SqliteStore: outbound webhooks (webhook_records.hpp, docs/api.md "Outbound webhooks"). The
// cursor and the deliveries move together, so an event is enqueued once per subscription even
// when the gateway dies between reading the events and writing the rows.
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

constexpr const char* kColumns =
    "id, subscription, event_id, event_type, payload, state, attempts, next_attempt_at, "
    "last_status, last_error, created_at, delivered_at";

WebhookDelivery read_delivery(sqlite::Statement& s) {
  WebhookDelivery d;
  d.id = s.int64(0);
  d.subscription = s.text(1);
  d.event_id = s.int64(2);
  d.event_type = s.text(3);
  d.payload = s.text(4);
  d.state = s.text(5);
  d.attempts = static_cast<int>(s.int64(6));
  d.next_attempt_at = s.int64(7);
  d.last_status = static_cast<int>(s.int64(8));
  d.last_error = s.text(9);
  d.created_at = s.int64(10);
  d.delivered_at = s.optional_int64(11);
  return d;
}

std::optional<WebhookDelivery> delivery_by_id(sqlite::Connection& db, Id id) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM webhook_deliveries WHERE id = ?";
  Query q(db.cached(sql.c_str()), id);
  if (!q.step()) return std::nullopt;
  return read_delivery(*q.operator->());
}

}  // namespace

Id SqliteStore::webhook_cursor() {
  auto& db = reader();
  Query q(db.cached("SELECT last_event_id FROM webhook_cursor WHERE id = 1"));
  return q.step() ? q->int64(0) : 0;
}

std::vector<WebhookSourceEvent> SqliteStore::events_after(Id after_id, int limit) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<WebhookSourceEvent> out;
  Query q(db.cached("SELECT e.id, e.conversation_id, e.kind, e.actor, e.data_json, e.created_at, "
                    "c.channel_instance, c.channel_kind, c.customer_id, m.id, m.direction, "
                    "m.author_kind, m.author_id, m.subject, m.body_text, m.created_at "
                    "FROM events e JOIN conversations c ON c.id = e.conversation_id "
                    "LEFT JOIN messages m ON m.id = e.message_id "
                    "WHERE e.id > ? ORDER BY e.id LIMIT ?"),
          after_id, limit);
  while (q.step()) {
    WebhookSourceEvent e;
    e.event = {q->int64(0), q->int64(1), q->text(2), q->text(3), q->text(4), q->int64(5)};
    e.channel_instance = q->text(6);
    e.channel_kind = q->text(7);
    e.customer_id = q->int64(8);
    if (!q->is_null(9)) {
      Message m;
      m.id = q->int64(9);
      m.conversation_id = e.event.conversation_id;
      m.direction = q->text(10);
      m.author_kind = q->text(11);
      m.author_id = q->text(12);
      m.subject = q->text(13);
      m.body_text = q->text(14);
      m.created_at = q->int64(15);
      e.message = std::move(m);
    }
    out.push_back(std::move(e));
  }
  return out;
}

void SqliteStore::enqueue_webhook_deliveries(WebhookEnqueue enqueue, Completion<int> done) {
  submit<int>(
      [enqueue = std::move(enqueue)](sqlite::Connection& db) {
        {
          Query q(db.cached("SELECT last_event_id FROM webhook_cursor WHERE id = 1"));
          const Id cursor = q.step() ? q->int64(0) : 0;
          if (cursor != enqueue.expected_cursor)
            throw std::runtime_error("conflict: the webhook cursor is at " +
                                     std::to_string(cursor) + ", not " +
                                     std::to_string(enqueue.expected_cursor));
        }
        int inserted = 0;
        for (const auto& d : enqueue.deliveries) {
          Query(db.cached("INSERT OR IGNORE INTO webhook_deliveries(subscription, event_id, "
                          "event_type, payload, next_attempt_at, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)"),
                d.subscription, d.event_id, d.event_type, d.payload, enqueue.now, enqueue.now)
              .step();
          inserted += db.changes();
        }
        Query(db.cached("UPDATE webhook_cursor SET last_event_id = ? WHERE id = 1"),
              enqueue.last_event_id)
            .step();
        return inserted;
      },
      std::move(done));
}

std::vector<WebhookDelivery> SqliteStore::due_webhook_deliveries(UnixMs now, int limit) {
  auto& db = reader();
  std::vector<WebhookDelivery> out;
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM webhook_deliveries WHERE (state = 'pending' OR state = 'sending' OR state = 'retry') "
      "AND (next_attempt_at <= ? OR state = 'sending') ORDER BY next_attempt_at, id LIMIT ?";
  Query q(db.cached(sql.c_str()), now, limit);
  while (q.step()) out.push_back(read_delivery(*q.operator->()));
  return out;
}

void SqliteStore::begin_webhook_attempt(Id delivery_id, Completion<Nothing> done) {
  submit<Nothing>(
      [delivery_id](sqlite::Connection& db) {
        Query(db.cached("UPDATE webhook_deliveries SET state = 'sending', attempts = attempts + 1 "
                        "WHERE id = ? AND (state = 'pending' OR state = 'sending' OR "
                        "state = 'retry')"),
              delivery_id)
            .step();
        if (db.changes() == 0)
          throw std::runtime_error("webhook delivery " + std::to_string(delivery_id) +
                                   " is not waiting to be sent");
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::mark_webhook_attempt(Id delivery_id, WebhookAttemptOutcome outcome,
                                       Completion<Nothing> done) {
  submit<Nothing>(
      [delivery_id, outcome = std::move(outcome)](sqlite::Connection& db) {
        using Kind = WebhookAttemptOutcome::Kind;
        switch (outcome.kind) {
          case Kind::delivered:
            Query(db.cached("UPDATE webhook_deliveries SET state = 'delivered', last_status = ?, "
                            "last_error = '', delivered_at = ? WHERE id = ?"),
                  outcome.http_status, outcome.at, delivery_id)
                .step();
            break;
          case Kind::retry:
            Query(db.cached("UPDATE webhook_deliveries SET state = 'retry', last_status = ?, "
                            "last_error = ?, next_attempt_at = ? WHERE id = ?"),
                  outcome.http_status, outcome.error, outcome.next_attempt_at, delivery_id)
                .step();
            break;
          case Kind::failed:
            Query(db.cached("UPDATE webhook_deliveries SET state = 'failed', last_status = ?, "
                            "last_error = ? WHERE id = ?"),
                  outcome.http_status, outcome.error, delivery_id)
                .step();
            break;
        }
        if (db.changes() == 0)
          throw std::runtime_error("webhook delivery " + std::to_string(delivery_id) +
                                   " does not exist");
        return Nothing{};
      },
      std::move(done));
}

std::vector<WebhookDelivery> SqliteStore::list_webhook_deliveries(
    const WebhookDeliveryFilter& filter) {
  auto& db = reader();
  std::vector<WebhookDelivery> out;
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 " FROM webhook_deliveries WHERE (?1 = '' OR state = ?1) AND "
                                 "(?2 = '' OR subscription = ?2) ORDER BY id DESC LIMIT ?3";
  Query q(db.cached(sql.c_str()), filter.state, filter.subscription, filter.limit);
  while (q.step()) out.push_back(read_delivery(*q.operator->()));
  return out;
}

std::optional<WebhookDelivery> SqliteStore::get_webhook_delivery(Id id) {
  return delivery_by_id(reader(), id);
}

std::vector<WebhookDeliveryCount> SqliteStore::webhook_delivery_counts() {
  auto& db = reader();
  std::vector<WebhookDeliveryCount> out;
  Query q(
      db.cached("SELECT subscription, state, COUNT(*) FROM webhook_deliveries "
                "GROUP BY subscription, state ORDER BY subscription, state"));
  while (q.step()) out.push_back({q->text(0), q->text(1), static_cast<int>(q->int64(2))});
  return out;
}

void SqliteStore::retry_webhook_delivery(Id id, std::string actor, UnixMs now,
                                         Completion<WebhookDelivery> done) {
  submit<WebhookDelivery>(
      [id, actor = std::move(actor), now](sqlite::Connection& db) {
        auto d = delivery_by_id(db, id);
        if (!d)
          throw std::invalid_argument("webhook delivery " + std::to_string(id) + " does not exist");
        if (d->state != "failed")
          throw std::runtime_error("conflict: webhook delivery " + std::to_string(id) + " is " +
                                   d->state + ", not failed");
        Query(db.cached("UPDATE webhook_deliveries SET state = 'pending', attempts = 0, "
                        "next_attempt_at = ? WHERE id = ?"),
              now, id)
            .step();
        Query(
            db.cached("INSERT INTO audit(actor, action, object, detail_json, created_at) "
                      "VALUES (?, 'webhook.retry', ?, ?, ?)"),
            actor, "webhook_delivery:" + std::to_string(id),
            nlohmann::json{{"subscription", d->subscription}, {"event_type", d->event_type}}.dump(),
            wall_clock_ms())
            .step();
        return *delivery_by_id(db, id);
      },
      std::move(done));
}

}  // namespace omnigate::store
