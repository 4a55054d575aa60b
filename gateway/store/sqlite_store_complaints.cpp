// SqliteStore: complaint records and the people of a customer's dedicated group
// (docs/service-processes.md).
#include "store/sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

constexpr std::array kContactRoles{
    "account_director",  "account_manager",  "technical_expert", "operations_specialist",
    "technical_contact", "service_director", "executive"};

constexpr const char* kComplaintById =
    "SELECT id, conversation_id, customer_id, severity, status, level, filed_at, record_json "
    "FROM complaints WHERE id = ?";
constexpr const char* kComplaintsByStatus =
    "SELECT id, conversation_id, customer_id, severity, status, level, filed_at, record_json "
    "FROM complaints WHERE ?1 = '' OR status = ?1 ORDER BY id";

StoredComplaint read_complaint(sqlite::Statement& s) {
  StoredComplaint c;
  c.id = s.int64(0);
  c.conversation_id = s.int64(1);
  c.customer_id = s.int64(2);
  c.severity = s.text(3);
  c.status = s.text(4);
  c.level = static_cast<int>(s.int64(5));
  c.filed_at = s.int64(6);
  c.record_json = s.text(7);
  return c;
}

// The event's data object with the complaint's id added, so a transcript reader can tell which
// complaint a step belongs to when a conversation has several.
std::string with_complaint_id(const std::string& data_json, Id id) {
  auto data = nlohmann::json::parse(data_json.empty() ? "{}" : data_json);
  if (!data.is_object()) throw std::invalid_argument("complaint event data must be an object");
  data["complaint_id"] = id;
  return data.dump();
}

}  // namespace

bool is_contact_role(std::string_view role) {
  for (const char* r : kContactRoles) {
    if (role == r) return true;
  }
  return false;
}

void SqliteStore::save_complaint(ComplaintWrite write, Completion<Id> done) {
  submit<Id>(
      [this, write = std::move(write)](sqlite::Connection& db) {
        const auto& c = write.complaint;
        const UnixMs now = write.at != 0 ? write.at : wall_clock_ms();
        Id id = c.id;
        if (id == 0) {
          {
            Query q(db.cached("SELECT 1 FROM conversations WHERE id = ? AND status <> 'closed'"),
                    c.conversation_id);
            if (!q.step())
              throw std::invalid_argument("open conversation " + std::to_string(c.conversation_id) +
                                          " does not exist");
          }
          {
            Query q(db.cached("INSERT INTO complaints(conversation_id, customer_id, severity, "
                              "status, level, filed_at, record_json, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                    c.conversation_id, c.customer_id, c.severity, c.status, c.level, c.filed_at,
                    c.record_json, now);
            q.step();
            id = q->int64(0);
          }
          // The conversation shows it was complained about (complaint_at, the first filing's
          // time: a later complaint does not move it).
          Query(db.cached("UPDATE conversations SET complaint_at = COALESCE(complaint_at, ?2), "
                          "updated_at = ?3 WHERE id = ?1"),
                c.conversation_id, c.filed_at, now)
              .step();
        } else {
          {
            Query q(db.cached("UPDATE complaints SET status = ?, level = ?, record_json = ?, "
                              "updated_at = ? WHERE id = ?"),
                    c.status, c.level, c.record_json, now, id);
            q.step();
          }
          if (db.changes() == 0)
            throw std::invalid_argument("complaint " + std::to_string(id) + " does not exist");
        }
        for (const auto& ev : write.events) {
          insert_event(db, c.conversation_id, ev.kind, ev.actor,
                       with_complaint_id(ev.data_json, id), std::nullopt, ev.at != 0 ? ev.at : now);
        }
        return id;
      },
      std::move(done));
}

std::optional<StoredComplaint> SqliteStore::get_complaint(Id id) {
  auto& db = reader();
  Query q(db.cached(kComplaintById), id);
  if (!q.step()) return std::nullopt;
  return read_complaint(*q.operator->());
}

std::vector<StoredComplaint> SqliteStore::list_complaints(const std::string& status) {
  auto& db = reader();
  Query q(db.cached(kComplaintsByStatus), status);
  std::vector<StoredComplaint> out;
  while (q.step()) out.push_back(read_complaint(*q.operator->()));
  return out;
}

void SqliteStore::set_customer_contacts(Id customer_id, std::vector<CustomerContact> contacts,
                                        std::string actor, Completion<Nothing> done) {
  submit<Nothing>(
      [customer_id, contacts = std::move(contacts), actor](sqlite::Connection& db) {
        {
          Query q(db.cached("SELECT 1 FROM customers WHERE id = ?"), customer_id);
          if (!q.step())
            throw std::invalid_argument("customer " + std::to_string(customer_id) +
                                        " does not exist");
        }
        Query(db.cached("DELETE FROM customer_contacts WHERE customer_id = ?"), customer_id).step();
        nlohmann::json detail = nlohmann::json::array();
        for (const auto& c : contacts) {
          if (!is_contact_role(c.role)) throw std::invalid_argument("unknown role " + c.role);
          Query(db.cached("INSERT INTO customer_contacts(customer_id, role, agent_id, name) "
                          "VALUES (?, ?, ?, ?)"),
                customer_id, c.role, c.agent_id, c.name)
              .step();
          detail.push_back({{"role", c.role}, {"agent_id", c.agent_id}, {"name", c.name}});
        }
        Query(db.cached("INSERT INTO audit(actor, action, object, detail_json, created_at) "
                        "VALUES (?, 'customer.contacts', ?, ?, ?)"),
              actor, "customer:" + std::to_string(customer_id), detail.dump(), wall_clock_ms())
            .step();
        return Nothing{};
      },
      std::move(done));
}

std::vector<CustomerContact> SqliteStore::customer_contacts(Id customer_id) {
  auto& db = reader();
  Query q(db.cached("SELECT role, agent_id, name FROM customer_contacts WHERE customer_id = ? "
                    "ORDER BY role"),
          customer_id);
  std::vector<CustomerContact> out;
  while (q.step()) out.push_back({q->text(0), q->text(1), q->text(2)});
  return out;
}

}  // namespace omnigate::store
