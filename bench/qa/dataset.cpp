#include "dataset.hpp"

#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "store/transcript_chain.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>

namespace omnigate::bench_qa {
namespace {

using store::sqlite::Connection;
using store::sqlite::Query;

constexpr std::int64_t kEpoch = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDayMs = 86'400'000;

constexpr std::array<const char*, 4> kKinds = {"sms", "email", "webchat", "voice"};

// Words customers and agents write, so bodies have the length and spread of real ones (the FTS
// index and the pages read grow with them).
constexpr std::array<const char*, 48> kWords = {
    "order",    "refund",  "delivery", "parcel",   "invoice", "account", "password",  "reset",
    "thanks",   "please",  "help",     "broken",   "screen",  "charger", "battery",   "replace",
    "warranty", "address", "changed",  "tracking", "number",  "late",    "yesterday", "today",
    "payment",  "card",    "declined", "again",    "still",   "waiting", "agent",     "sorry",
    "check",    "moment",  "resolved", "ticket",   "shipped", "return",  "label",     "store",
    "manager",  "call",    "back",     "email",    "receipt", "missing", "item",      "wrong"};

std::string shape_key(const DatasetShape& s) {
  return std::to_string(s.conversations) + "/" + std::to_string(s.messages_per_conversation) + "/" +
         std::to_string(s.agents) + "/" + std::to_string(s.days);
}

bool holds_dataset(const std::string& path, const DatasetShape& shape) {
  if (!std::filesystem::exists(path)) return false;
  try {
    Connection db(path, Connection::Mode::read_only);
    Query q(db.cached("SELECT value FROM bench_meta WHERE key = 'shape'"));
    return q.step() && q->text(0) == shape_key(shape);
  } catch (const std::exception&) {
    return false;  // no bench_meta: an interrupted or foreign file
  }
}

std::string sentence(std::mt19937_64& rng, int words) {
  std::string out;
  for (int w = 0; w < words; ++w) {
    if (w != 0) out += ' ';
    out += kWords[rng() % kWords.size()];
  }
  return out;
}

std::string agent_id(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "agent%03d", n);
  return buf;
}

class Writer {
 public:
  Writer(Connection& db, const DatasetShape& shape) : db_(db), shape_(shape) {}

  void agents() {
    for (int a = 0; a < shape_.agents; ++a)
      Query(db_.cached("INSERT INTO agents(id, display_name, team) VALUES (?, ?, ?)"), agent_id(a),
            "Agent " + std::to_string(a), "team" + std::to_string(a / 20))
          .step();
  }

  void customer(std::int64_t id) {
    const char* tier = tier_of(id);
    Query(db_.cached("INSERT INTO customers(id, display_name, tier, created_at) "
                     "VALUES (?, ?, ?, ?)"),
          id, "Customer " + std::to_string(id), tier, kEpoch)
        .step();
    Query(db_.cached("INSERT INTO identities(customer_id, kind, address, created_at) "
                     "VALUES (?, 'phone', ?, ?)"),
          id, "+1555" + std::to_string(1'000'000 + id), kEpoch)
        .step();
  }

  // Conversation `i` (0-based): its row, messages and events, each event chained.
  void conversation(std::int64_t i, std::int64_t customers) {
    const std::int64_t created = kEpoch + i * (shape_.days * kDayMs / shape_.conversations);
    const std::int64_t customer = 1 + (i * 7919) % customers;
    const char* kind = kKinds[rng_() % kKinds.size()];
    const std::string agent = agent_id(static_cast<int>(rng_() % shape_.agents));
    const std::int64_t first_due = created + 300'000;
    const std::int64_t first_at = created + 20'000 + static_cast<std::int64_t>(rng_() % 420'000);
    const std::string subject =
        std::string(kind) == "email" ? "Order " + std::to_string(100000 + i % 900000) : "";
    Query(db_.cached("INSERT INTO conversations(customer_id, channel_instance, channel_kind, "
                     "thread_key, status, priority, tier, subject, previous_agent, "
                     "customer_address, customer_address_kind, first_response_due, "
                     "first_response_at, created_at, updated_at, queued_at) "
                     "VALUES (?, ?, ?, ?, 'resolved', ?, ?, ?, ?, ?, 'phone', ?, ?, ?, ?, ?)"),
          customer, kind, kind, "t" + std::to_string(i), static_cast<std::int64_t>(1 + rng_() % 4),
          tier_of(customer), subject, agent, "+1555" + std::to_string(1'000'000 + customer),
          first_due, first_at, created, created + 3'600'000, created)
        .step();
    const std::int64_t conversation = db_.last_insert_rowid();

    std::int64_t t = created;
    event(conversation, "conversation.queued", "system", R"({"queue":"default"})", {}, t);
    event(conversation, "conversation.assigned", "system", json_agent(agent), {}, t += 10'000);
    if (rng_() % 100 < 3)
      event(conversation, "conversation.transferred", "user:supervisor", R"({"reason":"skill"})",
            {}, t += 5'000);
    if (first_at > first_due)
      event(conversation, "sla.first_response_breach", "system", "{}", {}, first_due);
    if (rng_() % 100 < 1)
      event(conversation, "sla.escalation", "system", R"({"level":1})", {}, t += 1'000);
    for (int m = 0; m < shape_.messages_per_conversation; ++m) {
      const bool inbound = m % 2 == 0;
      // The customer writes first, the agent's first answer is at first_at, the rest follow.
      t = m == 0   ? created
          : m == 1 ? std::max(first_at, t + 1)
                   : t + 30'000 + static_cast<std::int64_t>(rng_() % 120'000);
      const std::string body = sentence(rng_, 6 + static_cast<int>(rng_() % 18));
      const std::string raw =
          inbound ? "From=%2B1555" + std::to_string(customer) + "&Body=" + body : std::string();
      Query(db_.cached("INSERT INTO messages(conversation_id, channel_instance, direction, "
                       "author_kind, author_id, subject, body_text, provider_message_id, "
                       "delivery_state, raw, sent_at, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            conversation, kind, inbound ? "in" : "out", inbound ? "customer" : "agent",
            inbound ? std::string() : agent, subject, body,
            "P" + std::to_string(conversation) + "-" + std::to_string(m),
            inbound ? "" : "delivered", raw, inbound ? 0 : t, t)
          .step();
      event(conversation, inbound ? "message.received" : "message.sent",
            inbound ? "customer" : "agent:" + agent, "{}", db_.last_insert_rowid(), t);
    }
    event(conversation, "conversation.resolved", "agent:" + agent, "{}", {}, t + 60'000);
  }

 private:
  const char* tier_of(std::int64_t customer) const {
    const std::int64_t r = (customer * 2654435761) % 100;
    return r < 5 ? "S" : r < 20 ? "A" : r < 50 ? "B" : "C";
  }

  static std::string json_agent(const std::string& agent) {
    return nlohmann::json{{"agent", agent}}.dump();
  }

  void event(std::int64_t conversation, const char* kind, const std::string& actor,
             const std::string& data, std::optional<std::int64_t> message, std::int64_t at) {
    Query(db_.cached("INSERT INTO events(conversation_id, kind, actor, data_json, message_id, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)"),
          conversation, kind, actor, data, message, at)
        .step();
    store::chain_event(db_, db_.last_insert_rowid());
  }

  Connection& db_;
  const DatasetShape& shape_;
  std::mt19937_64 rng_{20261203};
};

}  // namespace

std::int64_t day_start_ms(int day) {
  return kEpoch + day * kDayMs;
}

void ensure_dataset(const std::string& path, const DatasetShape& shape) {
  if (holds_dataset(path, shape)) return;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  const auto attachments = std::filesystem::path(path).replace_extension("attachments");
  std::filesystem::create_directories(attachments);
  // The gateway's own open: its schema, every migration, its pragmas.
  store::SqliteOptions options;
  options.path = path;
  options.attachments_dir = attachments.string();
  store::open_sqlite_store(options).reset();

  const auto started = std::chrono::steady_clock::now();
  Connection db(path, Connection::Mode::read_write_create);
  db.exec("PRAGMA synchronous = OFF");  // a crash while generating just means generating again
  Writer writer(db, shape);
  const std::int64_t customers = std::max<std::int64_t>(1, shape.conversations / 10);
  db.exec("BEGIN");
  writer.agents();
  for (std::int64_t c = 1; c <= customers; ++c) writer.customer(c);
  for (std::int64_t i = 0; i < shape.conversations; ++i) {
    writer.conversation(i, customers);
    if ((i + 1) % 20'000 == 0) {
      db.exec("COMMIT");
      std::fprintf(
          stderr, "generated %lld of %lld conversations (%.0f s)\n", static_cast<long long>(i + 1),
          static_cast<long long>(shape.conversations),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      db.exec("BEGIN");
    }
  }
  db.exec("CREATE TABLE bench_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  Query(db.cached("INSERT INTO bench_meta(key, value) VALUES ('shape', ?)"), shape_key(shape))
      .step();
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace omnigate::bench_qa
