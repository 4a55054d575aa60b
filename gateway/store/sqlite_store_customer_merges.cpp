// SqliteStore: two customer records of one person merged, the merge undone within its window,
// and the pairs that look like one person (customer_merge_records.hpp, docs/api.md "Customer
// merges").
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::store {
namespace {

using nlohmann::json;
using sqlite::Query;

std::runtime_error conflict(const std::string& what) {
  return std::runtime_error("conflict: " + what);
}

std::string customer_name(Id id) {
  return "customer " + std::to_string(id);
}

std::vector<Id> ids_of(sqlite::Connection& db, const char* sql, Id customer_id) {
  std::vector<Id> out;
  Query q(db.cached(sql), customer_id);
  while (q.step()) out.push_back(q->int64(0));
  return out;
}

std::vector<Id> open_conversations(sqlite::Connection& db, Id customer_id) {
  return ids_of(db,
                "SELECT id FROM conversations WHERE customer_id = ? AND status IN ('queued', "
                "'assigned', 'waiting_customer') ORDER BY id",
                customer_id);
}

json contacts_json(sqlite::Connection& db, Id customer_id) {
  json out = json::array();
  Query q(db.cached("SELECT role, agent_id, name FROM customer_contacts WHERE customer_id = ? "
                    "ORDER BY role"),
          customer_id);
  while (q.step())
    out.push_back({{"role", q->text(0)}, {"agent_id", q->text(1)}, {"name", q->text(2)}});
  return out;
}

void replace_contacts(sqlite::Connection& db, Id customer_id, const json& contacts) {
  Query(db.cached("DELETE FROM customer_contacts WHERE customer_id = ?"), customer_id).step();
  for (const auto& c : contacts)
    Query(db.cached("INSERT INTO customer_contacts(customer_id, role, agent_id, name) VALUES (?, "
                    "?, ?, ?)"),
          customer_id, c.at("role").get<std::string>(), c.at("agent_id").get<std::string>(),
          c.at("name").get<std::string>())
        .step();
}

json profile_json(const Customer& c) {
  return {{"display_name", c.display_name},          {"tier", to_string(c.tier)},
          {"tier_source", to_string(c.tier_source)}, {"attributes_json", c.attributes_json},
          {"account_team", c.account_team},          {"account_manager", c.account_manager}};
}

Customer with_profile(Customer c, const json& p) {
  c.display_name = p.at("display_name").get<std::string>();
  c.tier = tier_from_string(p.at("tier").get<std::string>()).value_or(Tier::C);
  c.tier_source =
      tier_source_from_string(p.at("tier_source").get<std::string>()).value_or(TierSource::initial);
  c.attributes_json = p.at("attributes_json").get<std::string>();
  c.account_team = p.at("account_team").get<std::string>();
  c.account_manager = p.at("account_manager").get<std::string>();
  return c;
}

void write_profile(sqlite::Connection& db, const Customer& c) {
  Query(db.cached("UPDATE customers SET display_name = ?, tier = ?, tier_source = ?, "
                  "attributes_json = ?, account_team = ?, account_manager = ? WHERE id = ?"),
        c.display_name, to_string(c.tier), to_string(c.tier_source), c.attributes_json,
        c.account_team, c.account_manager, c.id)
      .step();
}

void record_tier_change(sqlite::Connection& db, const Customer& before, const Customer& after,
                        const std::string& actor, const json& reason, UnixMs now) {
  if (before.tier == after.tier) return;
  Query(db.cached("INSERT INTO customer_tier_changes(customer_id, old_tier, new_tier, source, "
                  "actor, reason_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
        after.id, to_string(before.tier), to_string(after.tier), to_string(after.tier_source),
        actor, reason.dump(), now)
      .step();
}

std::vector<Id> id_list(const json& ids) {
  std::vector<Id> out;
  for (const auto& id : ids) out.push_back(id.get<Id>());
  return out;
}

CustomerMergeRecord read_merge_row(sqlite::Statement& s) {
  CustomerMergeRecord m;
  m.id = s.int64(0);
  m.survivor_id = s.int64(1);
  m.merged_id = s.int64(2);
  m.actor = s.text(3);
  m.merged_at = s.int64(4);
  m.undo_until = s.int64(5);
  const json prior = json::parse(s.text(6));
  m.undone_at = s.optional_int64(7);
  m.undone_by = s.text(8);
  m.identities = id_list(prior.at("identities"));
  for (const auto& c : prior.at("conversations")) m.conversations.push_back(c.at("id").get<Id>());
  return m;
}

struct StoredMerge {
  CustomerMergeRecord record;
  json prior;
};

std::optional<StoredMerge> read_merge(sqlite::Connection& db, Id merge_id) {
  Query q(db.cached("SELECT id, survivor_id, merged_id, actor, merged_at, undo_until, prior_json, "
                    "undone_at, undone_by FROM customer_merges WHERE id = ?"),
          merge_id);
  if (!q.step()) return std::nullopt;
  return StoredMerge{read_merge_row(*q.operator->()), json::parse(q->text(6))};
}

}  // namespace

void SqliteStore::merge_customers(CustomerMerge m, Completion<MergeOutcome> done) {
  submit<MergeOutcome>(
      [this, m = std::move(m)](sqlite::Connection& db) {
        if (m.survivor_id == m.merged_id)
          throw std::invalid_argument("a customer cannot be merged into itself");
        auto survivor = read_customer(db, m.survivor_id);
        if (!survivor)
          throw std::invalid_argument(customer_name(m.survivor_id) + " does not exist");
        auto merged = read_customer(db, m.merged_id);
        if (!merged) throw std::invalid_argument(customer_name(m.merged_id) + " does not exist");
        for (const Customer* c : {&*survivor, &*merged})
          if (c->merged_into != 0)
            throw conflict(customer_name(c->id) + " was merged into " +
                           customer_name(c->merged_into) + " already");
        const UnixMs now = m.at != 0 ? m.at : wall_clock_ms();

        Customer after = *survivor;
        auto take = [](MergeSide side) { return side == MergeSide::merged; };
        if (take(m.display_name)) after.display_name = merged->display_name;
        if (take(m.tier)) {
          after.tier = merged->tier;
          after.tier_source = merged->tier_source;
        }
        if (take(m.attributes)) after.attributes_json = merged->attributes_json;
        if (take(m.account)) {
          after.account_team = merged->account_team;
          after.account_manager = merged->account_manager;
        }

        // What undo restores: the survivor's profile and contacts, which identities and
        // conversations moved, and the tier of every conversation whose tier the merge sets.
        json prior{{"survivor", profile_json(*survivor)},
                   {"survivor_contacts", contacts_json(db, survivor->id)},
                   {"identities", ids_of(db,
                                         "SELECT id FROM identities WHERE customer_id = ? "
                                         "ORDER BY id",
                                         merged->id)},
                   {"conversations", json::array()}};
        {
          Query q(db.cached("SELECT id, tier FROM conversations WHERE customer_id = ? ORDER BY id"),
                  merged->id);
          while (q.step())
            prior["conversations"].push_back({{"id", q->int64(0)}, {"tier", q->text(1)}});
        }
        json open_tiers = json::array();
        {
          Query q(
              db.cached("SELECT id, tier FROM conversations WHERE customer_id = ? AND status IN "
                        "('queued', 'assigned', 'waiting_customer') ORDER BY id"),
              survivor->id);
          while (q.step()) open_tiers.push_back({{"id", q->int64(0)}, {"tier", q->text(1)}});
        }
        prior["survivor_open_conversations"] = open_tiers;

        Query(db.cached("INSERT INTO customer_merges(survivor_id, merged_id, actor, merged_at, "
                        "undo_until, prior_json) VALUES (?, ?, ?, ?, ?, ?)"),
              survivor->id, merged->id, m.actor, now, now + m.undo_window_ms, prior.dump())
            .step();
        const Id merge_id = db.last_insert_rowid();

        Query(db.cached("UPDATE identities SET customer_id = ? WHERE customer_id = ?"),
              survivor->id, merged->id)
            .step();
        Query(db.cached("UPDATE conversations SET customer_id = ?, updated_at = ? WHERE "
                        "customer_id = ?"),
              survivor->id, now, merged->id)
            .step();
        write_profile(db, after);
        if (take(m.contacts)) replace_contacts(db, survivor->id, contacts_json(db, merged->id));
        Query(db.cached("UPDATE customers SET merged_into = ? WHERE id = ?"), survivor->id,
              merged->id)
            .step();
        record_tier_change(db, *survivor, after, m.actor, {{"merged_customer", merged->id}}, now);

        MergeOutcome out;
        CustomerChange change;
        change.open_conversations = open_conversations(db, survivor->id);
        for (const Id id : change.open_conversations)
          Query(db.cached("UPDATE conversations SET tier = ? WHERE id = ?"), to_string(after.tier),
                id)
              .step();
        const std::string data = json{
            {"merge_id", merge_id},
            {"survivor_id", survivor->id},
            {"merged_id", merged->id},
            {"undo_until",
             now + m.undo_window_ms}}.dump();
        std::vector<Id> noted;
        for (const auto& c : prior["conversations"]) noted.push_back(c.at("id").get<Id>());
        for (const auto& c : open_tiers) noted.push_back(c.at("id").get<Id>());
        for (const Id id : noted)
          insert_event(db, id, "customer.merged", m.actor, data, std::nullopt, now);

        out.merge = read_merge(db, merge_id)->record;
        change.before = std::move(*survivor);
        change.after = *read_customer(db, change.before.id);
        out.changes.push_back(std::move(change));
        return out;
      },
      std::move(done));
}

void SqliteStore::undo_customer_merge(Id merge_id, std::string actor, UnixMs now,
                                      Completion<MergeOutcome> done) {
  submit<MergeOutcome>(
      [this, merge_id, actor = std::move(actor), now](sqlite::Connection& db) {
        auto stored = read_merge(db, merge_id);
        if (!stored)
          throw std::invalid_argument("customer merge " + std::to_string(merge_id) +
                                      " does not exist");
        const CustomerMergeRecord& m = stored->record;
        if (m.undone_at)
          throw conflict("merge " + std::to_string(merge_id) + " was undone already");
        if (now > m.undo_until)
          throw conflict("the undo window of merge " + std::to_string(merge_id) + " ended at " +
                         std::to_string(m.undo_until) + " (ms since the epoch)");
        const auto survivor = read_customer(db, m.survivor_id);
        const auto merged = read_customer(db, m.merged_id);
        if (survivor->merged_into != 0)
          throw conflict(customer_name(survivor->id) + " was merged into " +
                         customer_name(survivor->merged_into) + " since: undo that merge first");
        const json& prior = stored->prior;

        const Customer restored = with_profile(*survivor, prior.at("survivor"));
        write_profile(db, restored);
        replace_contacts(db, survivor->id, prior.at("survivor_contacts"));
        record_tier_change(db, *survivor, restored, actor, {{"merge_undone", merge_id}}, now);
        for (const Id id : m.identities)
          Query(db.cached("UPDATE identities SET customer_id = ? WHERE id = ? AND customer_id = ?"),
                merged->id, id, survivor->id)
              .step();
        for (const auto& c : prior.at("conversations"))
          Query(db.cached("UPDATE conversations SET customer_id = ?, tier = ?, updated_at = ? "
                          "WHERE id = ? AND customer_id = ?"),
                merged->id, c.at("tier").get<std::string>(), now, c.at("id").get<Id>(),
                survivor->id)
              .step();
        for (const auto& c : prior.at("survivor_open_conversations"))
          Query(db.cached("UPDATE conversations SET tier = ? WHERE id = ?"),
                c.at("tier").get<std::string>(), c.at("id").get<Id>())
              .step();
        Query(db.cached("UPDATE customers SET merged_into = NULL WHERE id = ?"), merged->id).step();
        Query(db.cached("UPDATE customer_merges SET undone_at = ?, undone_by = ? WHERE id = ?"),
              now, actor, merge_id)
            .step();

        const std::string data =
            json{{"merge_id", merge_id}, {"survivor_id", survivor->id}, {"merged_id", merged->id}}
                .dump();
        for (const Id id : m.conversations)
          insert_event(db, id, "customer.merge_undone", actor, data, std::nullopt, now);
        for (const auto& c : prior.at("survivor_open_conversations"))
          insert_event(db, c.at("id").get<Id>(), "customer.merge_undone", actor, data, std::nullopt,
                       now);

        MergeOutcome out;
        out.merge = read_merge(db, merge_id)->record;
        for (const Customer* before : {&*survivor, &*merged}) {
          CustomerChange change;
          change.before = *before;
          change.after = *read_customer(db, before->id);
          change.open_conversations = open_conversations(db, before->id);
          out.changes.push_back(std::move(change));
        }
        return out;
      },
      std::move(done));
}

std::optional<CustomerMergeRecord> SqliteStore::get_customer_merge(Id merge_id) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  auto stored = read_merge(db, merge_id);
  if (!stored) return std::nullopt;
  return std::move(stored->record);
}

std::vector<DuplicateSuggestion> SqliteStore::duplicate_customers(int limit) {
  auto& db = reader();
  sqlite::ReadTransaction snapshot(db);
  std::vector<DuplicateSuggestion> out;
  {
    Query q(db.cached(
                "SELECT DISTINCT a.customer_id, b.customer_id, a.match_key FROM identities a "
                "JOIN identities b ON b.match_key = a.match_key AND b.customer_id > a.customer_id "
                "JOIN customers ca ON ca.id = a.customer_id AND ca.merged_into IS NULL "
                "JOIN customers cb ON cb.id = b.customer_id AND cb.merged_into IS NULL "
                "WHERE a.match_key <> '' ORDER BY a.customer_id, b.customer_id LIMIT ?"),
            static_cast<std::int64_t>(limit));
    while (q.step()) {
      const std::string key = q->text(2);
      const auto colon = key.find(':');
      out.push_back({q->int64(0), q->int64(1), key.starts_with("tel:") ? "phone" : "email",
                     key.substr(colon + 1)});
    }
  }
  const auto left = static_cast<std::int64_t>(limit) - static_cast<std::int64_t>(out.size());
  if (left <= 0) return out;
  // Names and companies are compared as people write them: case aside.
  Query q(db.cached(
              "SELECT a.id, b.id, a.display_name, json_extract(a.attributes_json, '$.company') "
              "FROM customers a JOIN customers b ON b.id > a.id "
              "AND lower(b.display_name) = lower(a.display_name) "
              "AND lower(json_extract(b.attributes_json, '$.company')) = "
              "lower(json_extract(a.attributes_json, '$.company')) "
              "WHERE a.merged_into IS NULL AND b.merged_into IS NULL AND a.display_name <> '' "
              "AND json_type(a.attributes_json, '$.company') = 'text' "
              "AND json_extract(a.attributes_json, '$.company') <> '' ORDER BY a.id, b.id LIMIT ?"),
          left);
  while (q.step())
    out.push_back({q->int64(0), q->int64(1), "name_company", q->text(2) + " / " + q->text(3)});
  return out;
}

}  // namespace omnigate::store
