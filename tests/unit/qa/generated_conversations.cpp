#include "generated_conversations.hpp"

#include "qa/draw_order.hpp"

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>

namespace omnigate::qa::test {
namespace {

// Independent bits of a conversation's number, so that the facts are not correlated.
std::uint64_t bits(std::int64_t i, std::uint64_t salt) {
  return splitmix64(static_cast<std::uint64_t>(i) * 0x100000001b3ULL + salt);
}

class Db {
 public:
  explicit Db(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
  ~Db() { sqlite3_close(db_); }
  void exec(const char* sql) {
    INFO(sql);
    REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) == SQLITE_OK);
    return s;
  }
  void run(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) FAIL(sqlite3_errmsg(db_));
    sqlite3_reset(s);
  }

 private:
  sqlite3* db_ = nullptr;
};

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

}  // namespace

GeneratedFacts generated_facts(std::int64_t i) {
  static const std::array<const char*, 4> channels{"sms", "email", "webchat", "voice"};
  static const std::array<const char*, 3> tiers{"A", "B", "C"};
  static const std::array<const char*, 3> teams{"alpha", "beta", "gamma"};
  GeneratedFacts f;
  const int agent = static_cast<int>(bits(i, 1) % kAgents);
  if (bits(i, 2) % 20 != 0) {
    f.agent = "agent" + std::to_string(agent);
    f.team = teams[static_cast<std::size_t>(agent % 3)];
  }
  f.channel = channels[bits(i, 3) % channels.size()];
  f.tier = tiers[bits(i, 4) % tiers.size()];
  f.priority = 1 + static_cast<int>(bits(i, 5) % 4);
  f.created_at = kEpoch + static_cast<std::int64_t>(bits(i, 6) % (60 * kDayMs));
  f.sla_breached = bits(i, 7) % 20 == 0;
  f.escalated = bits(i, 8) % 33 == 0;
  f.transferred = bits(i, 9) % 25 == 0;
  if (bits(i, 10) % 10 < 7)
    f.handle_ms = static_cast<std::int64_t>(bits(i, 11) % (2 * kLongHandleMs));
  f.keyword_hit = bits(i, 12) % 40 == 0;
  if (bits(i, 21) % 6 == 0) f.csat = 1 + static_cast<int>(bits(i, 22) % 5);
  return f;
}

void generate_conversations(const std::string& path, std::int64_t count) {
  Db db(path);
  db.exec("PRAGMA synchronous = OFF");
  db.exec("BEGIN");
  db.exec("INSERT INTO customers(id, display_name, created_at) VALUES (1, 'Generated', 0)");
  for (int a = 0; a < kAgents; ++a) {
    const std::string sql = "INSERT INTO agents(id, team) VALUES ('agent" + std::to_string(a) +
                            "', '" + std::array{"alpha", "beta", "gamma"}[a % 3] + "')";
    db.exec(sql.c_str());
  }
  auto* conv = db.prepare(
      "INSERT INTO conversations(id, customer_id, channel_instance, channel_kind, status, "
      "priority, tier, previous_agent, created_at, updated_at, queued_at) "
      "VALUES (?1, 1, ?2, ?2, 'resolved', ?3, ?4, ?5, ?6, ?6, ?6)");
  auto* msg = db.prepare(
      "INSERT INTO messages(conversation_id, channel_instance, direction, author_kind, subject, "
      "body_text, created_at) VALUES (?1, ?2, 'in', 'customer', ?3, ?4, ?5)");
  auto* ev =
      db.prepare("INSERT INTO events(conversation_id, kind, created_at) VALUES (?1, ?2, ?3)");
  auto* rating = db.prepare(
      "INSERT INTO csat_ratings(conversation_id, rating, source, actor, received_at) "
      "VALUES (?1, ?2, 'sms', 'plugin:sms', ?3)");
  const auto event = [&](std::int64_t id, const char* kind, std::int64_t at) {
    sqlite3_bind_int64(ev, 1, id);
    sqlite3_bind_text(ev, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ev, 3, at);
    db.run(ev);
  };
  for (std::int64_t i = 1; i <= count; ++i) {
    const auto f = generated_facts(i);
    sqlite3_bind_int64(conv, 1, i);
    bind_text(conv, 2, f.channel);
    sqlite3_bind_int(conv, 3, f.priority);
    bind_text(conv, 4, f.tier);
    if (f.agent.empty())
      sqlite3_bind_null(conv, 5);
    else
      bind_text(conv, 5, f.agent);
    sqlite3_bind_int64(conv, 6, f.created_at);
    db.run(conv);
    // The keyword in either the subject or the body, in any case; the near miss splits it.
    const bool in_subject = bits(i, 13) % 2 == 0;
    const std::string hit = bits(i, 14) % 2 ? "REFUND" : "Refund";
    const std::string body = f.keyword_hit && !in_subject ? "please " + hit + " my order"
                             : bits(i, 15) % 10 == 0      ? "a ref und, 100% of it_please"
                                                          : "where is my order";
    const std::string subject = f.keyword_hit && in_subject ? hit + " request" : "order";
    sqlite3_bind_int64(msg, 1, i);
    bind_text(msg, 2, f.channel);
    bind_text(msg, 3, subject);
    bind_text(msg, 4, body);
    sqlite3_bind_int64(msg, 5, f.created_at);
    db.run(msg);
    event(i, "conversation.queued", f.created_at);
    if (bits(i, 16) % 8 == 0) event(i, "sla.first_response_warning", f.created_at + 1);
    if (bits(i, 17) % 8 == 0) event(i, "escalation.notified", f.created_at + 1);
    if (f.sla_breached)
      event(i, bits(i, 18) % 2 ? "sla.first_response_breach" : "sla.resolution_breach",
            f.created_at + 2);
    if (f.escalated)
      event(i, bits(i, 19) % 2 ? "sla.escalation" : "sla.complaint_escalation", f.created_at + 3);
    if (f.transferred) event(i, "conversation.transferred", f.created_at + 4);
    if (f.csat) {
      sqlite3_bind_int64(rating, 1, i);
      sqlite3_bind_int(rating, 2, *f.csat);
      sqlite3_bind_int64(rating, 3, f.created_at + 5);
      db.run(rating);
    }
    if (f.handle_ms) {
      event(i, "conversation.resolved", f.created_at + *f.handle_ms);
      // A later resolution (after a reopen) does not lengthen the first handling.
      if (bits(i, 20) % 5 == 0)
        event(i, "conversation.resolved", f.created_at + *f.handle_ms + 3 * kLongHandleMs);
    }
  }
  sqlite3_finalize(conv);
  sqlite3_finalize(msg);
  sqlite3_finalize(ev);
  sqlite3_finalize(rating);
  db.exec("COMMIT");
}

std::vector<std::int64_t> expected_ids(const store::QaConversationFilter& filter,
                                       std::int64_t count) {
  const auto in = [](const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  std::vector<std::int64_t> out;
  for (std::int64_t i = 1; i <= count; ++i) {
    const auto f = generated_facts(i);
    if (filter.from && f.created_at < *filter.from) continue;
    if (filter.to && f.created_at >= *filter.to) continue;
    if (!in(filter.agents, f.agent) || !in(filter.teams, f.team) ||
        !in(filter.channels, f.channel) || !in(filter.tiers, f.tier))
      continue;
    if (filter.targeted()) {
      const bool hit =
          (filter.sla_breached && f.sla_breached) || (filter.escalated && f.escalated) ||
          (filter.transferred && f.transferred) || (filter.low_csat && f.csat && *f.csat <= 2) ||
          (filter.min_handle_ms && f.handle_ms && *f.handle_ms >= *filter.min_handle_ms) ||
          (!filter.keyword.empty() && f.keyword_hit);
      if (!hit) continue;
    }
    out.push_back(i);
  }
  return out;
}

}  // namespace omnigate::qa::test
