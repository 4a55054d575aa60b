// Every query routing-sim runs against a gateway database. They need schema version 3
// (gateway/store/migrations.cpp: version 1 is the model, 3 adds customers.account_manager) and
// only read columns that later migrations keep, so any version from 3 up to the newest this
// build knows is accepted; anything else is refused with both versions named.
#include "history_db.hpp"

#include <store/migrations.hpp>
#include <store/model_json.hpp>
#include <store/sqlite_db.hpp>

namespace routing_sim {

using namespace omnigate::store;

namespace {

constexpr int kOldestReadableSchema = 3;

int checked_schema_version(sqlite::Connection& db, const std::string& path) {
  const int version = schema_version(db);
  const int newest = migrations().back().version;
  if (version == 0)
    throw HistoryError(path + " is not an omnigate database (it has no schema_migrations table)");
  if (version < kOldestReadableSchema)
    throw HistoryError(path + " has schema version " + std::to_string(version) +
                       "; routing-sim reads version " + std::to_string(kOldestReadableSchema) +
                       " or later: run `omnigate migrate` on a copy first");
  if (version > newest)
    throw HistoryError(path + " has schema version " + std::to_string(version) +
                       " but this routing-sim knows only up to " + std::to_string(newest) +
                       "; rebuild routing-sim from the same omnigate version");
  return version;
}

void read_conversations(sqlite::Connection& db, HistoryRows& rows) {
  sqlite::Query q(
      db.cached("SELECT c.id, c.customer_id, c.channel_kind, c.tier, c.priority, c.skills_json, "
                "cu.account_team, cu.account_manager FROM conversations c "
                "JOIN customers cu ON cu.id = c.customer_id ORDER BY c.id"));
  while (q.step()) {
    ConversationRow c;
    c.id = q->int64(0);
    c.customer_id = q->int64(1);
    c.channel_kind = q->text(2);
    c.tier = tier_from_string(q->text(3)).value_or(Tier::C);
    c.priority = static_cast<int>(q->int64(4));
    c.skills = skills_from_json(q->text(5));
    c.account_team = q->text(6);
    c.account_manager = q->text(7);
    rows.conversations.push_back(std::move(c));
  }
}

void read_events(sqlite::Connection& db, HistoryRows& rows) {
  // Only the kinds a contact's course is derived from (history.hpp); id = commit order.
  sqlite::Query q(db.cached(
      "SELECT conversation_id, kind, actor, data_json, created_at FROM events WHERE kind IN "
      "('conversation.queued', 'conversation.reopened', 'conversation.requeued', "
      "'conversation.assigned', 'conversation.resolved', 'conversation.closed', 'message.sent') "
      "ORDER BY id"));
  while (q.step())
    rows.events.push_back({q->int64(0), q->text(1), q->text(2), q->text(3), q->int64(4)});
}

void read_agents(sqlite::Connection& db, HistoryRows& rows) {
  sqlite::Query q(
      db.cached("SELECT id, team, skills_json, tiers_json, capacity_json, presence, presence_since "
                "FROM agents ORDER BY id"));
  while (q.step()) {
    Agent a;
    a.id = q->text(0);
    a.team = q->text(1);
    a.skills = skills_from_json(q->text(2));
    a.tiers = tiers_from_json(q->text(3));
    a.capacity = capacity_from_json(q->text(4));
    a.presence = presence_from_string(q->text(5)).value_or(Presence::offline);
    a.presence_since = q->int64(6);
    rows.agents.push_back(std::move(a));
  }
}

void read_presence(sqlite::Connection& db, HistoryRows& rows) {
  // The agent API audits every presence change (PUT /api/v1/agents/me/presence).
  sqlite::Query q(
      db.cached("SELECT object, detail_json, created_at FROM audit "
                "WHERE action = 'agent.presence' ORDER BY created_at, id"));
  while (q.step()) rows.presence.push_back({q->text(0), q->text(1), q->int64(2)});
}

void read_last_activity(sqlite::Connection& db, HistoryRows& rows) {
  sqlite::Query q(
      db.cached("SELECT MAX(COALESCE((SELECT MAX(created_at) FROM events), 0), "
                "COALESCE((SELECT MAX(created_at) FROM audit), 0))"));
  if (q.step()) rows.last_activity = q->int64(0);
}

}  // namespace

HistoryFile read_history(const std::string& path) {
  HistoryFile file;
  try {
    sqlite::Connection db(path, sqlite::Connection::Mode::read_only);
    file.schema_version = checked_schema_version(db, path);
    // One snapshot across every query, even while the gateway keeps writing.
    sqlite::ReadTransaction snapshot(db);
    read_conversations(db, file.rows);
    read_events(db, file.rows);
    read_agents(db, file.rows);
    read_presence(db, file.rows);
    read_last_activity(db, file.rows);
  } catch (const HistoryError&) {
    throw;
  } catch (const std::exception& e) {
    // SQLite's own words ("file is not a database", "no such table: ...") after the file name.
    throw HistoryError("cannot read " + path + " as an omnigate database: " + e.what());
  }
  return file;
}

}  // namespace routing_sim
