// Writes that carry messages: inbound messages, channel events, delivery receipts and agent
// replies. All run on the writer thread inside a group-commit batch.
#include "store/customer_text.hpp"
#include "store/identity.hpp"
#include "store/model_json.hpp"
#include "store/sqlite_store.hpp"
#include "store/transcript_chain.hpp"

#include "redaction/raw_seal.hpp"

#include "omnigate/utf8.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <vector>

namespace omnigate::store {
namespace {

using sqlite::Query;

UnixMs or_now(UnixMs t) {
  return t != 0 ? t : wall_clock_ms();
}

// The earlier ingest of the same provider id, if `dup` (selecting id, conversation_id,
// customer_id) finds one.
std::optional<IngestResult> earlier_ingest(Query& dup) {
  if (!dup.step()) return std::nullopt;
  IngestResult result;
  result.duplicate = true;
  result.message_id = dup->int64(0);
  result.conversation_id = dup->int64(1);
  result.customer_id = dup->int64(2);
  return result;
}

// Delivery states move forward only; failed/undelivered are terminal.
int delivery_rank(const std::string& state) {
  if (state == "pending") return 0;
  if (state == "sending") return 1;
  if (state == "queued") return 2;
  if (state == "sent") return 3;
  if (state == "delivered") return 4;
  if (state == "read") return 5;
  return -1;
}
bool is_terminal_failure(const std::string& state) {
  return state == "failed" || state == "undelivered";
}
bool delivery_state_advances(const std::string& current, const std::string& next) {
  if (is_terminal_failure(current)) return false;
  // A failure overrides anything short of an actual delivery.
  if (is_terminal_failure(next)) return delivery_rank(current) < delivery_rank("delivered");
  return delivery_rank(next) > delivery_rank(current);
}

// The author's earlier reply with the same client key: replayed when the request is the same
// (conversation, subject, text, html, attachments), key_mismatch when it is not.
std::optional<ReplyResult> earlier_reply(sqlite::Connection& db, const ReplyRecord& rec) {
  Query q(db.cached("SELECT m.id, m.conversation_id, m.subject, m.body_text, m.body_html, o.id "
                    "FROM messages m JOIN outbox o ON o.message_id = m.id "
                    "WHERE m.author_id = ? AND m.client_key = ?"),
          rec.agent_id, rec.client_key);
  if (!q.step()) return std::nullopt;
  ReplyResult result;
  result.message_id = q->int64(0);
  result.outbox_id = q->int64(5);
  const bool same_text = q->int64(1) == rec.conversation_id && q->text(2) == rec.subject &&
                         q->text(3) == rec.body_text && q->text(4) == rec.body_html;
  using File = std::array<std::string, 4>;  // filename, content_type, url, sha256 of the bytes
  std::vector<File> stored, asked;
  Query files(db.cached("SELECT filename, content_type, url, sha256 FROM attachments "
                        "WHERE message_id = ? ORDER BY id"),
              result.message_id);
  while (files.step())
    stored.push_back({files->text(0), files->text(1), files->text(2), files->text(3)});
  for (const auto& a : rec.attachments)
    asked.push_back({a.filename, a.content_type, a.url,
                     !a.blob_sha256.empty() ? a.blob_sha256
                     : a.data.empty()       ? std::string()
                                            : sha256_hex(a.data)});
  result.kind =
      same_text && stored == asked ? ReplyResult::Kind::replayed : ReplyResult::Kind::key_mismatch;
  return result;
}

// An inbound message made storable: its text repaired (customer_text.hpp) and its sender parsed
// (identity.hpp). Whatever was wrong flags the message malformed and is named in the data of its
// "message.received" event; the original bytes stay in `raw`, which plugins fill with the
// request they received, else the store with the originals of what it changed. Runs before the
// write is queued, off the writer thread.
struct PreparedInbound {
  Identity from;
  std::string received_data = "{}";  // data_json of the "message.received" event
};
PreparedInbound prepare_inbound(InboundRecord& rec, std::string_view default_region) {
  PreparedInbound out;
  out.from = parse_identity(rec.from_kind, rec.from_address,
                            rec.phone_region.empty() ? default_region : rec.phone_region);
  TextRepair repair = repair_text({{"provider_message_id", &rec.provider_message_id},
                                   {"from_name", &rec.from_name},
                                   {"to_address", &rec.to_address},
                                   {"thread_key", &rec.thread_key},
                                   {"subject", &rec.subject},
                                   {"body_text", &rec.body_text},
                                   {"body_html", &rec.body_html},
                                   {"metadata_json", &rec.metadata_json}});
  for (auto& a : rec.attachments) {
    const auto more = repair_text({{"filename", &a.filename},
                                   {"content_type", &a.content_type},
                                   {"url", &a.url},
                                   {"content_id", &a.content_id}});
    if (more.originals.empty()) continue;
    repair.changed.insert(repair.changed.end(), more.changed.begin(), more.changed.end());
    repair.originals += (repair.originals.empty() ? "" : "&") + more.originals;
  }
  std::vector<std::string> problems;
  for (auto name : repair.changed) problems.push_back(std::string(name) + ": not UTF-8");
  if (!out.from.problem.empty()) {
    problems.push_back(out.from.problem);
    append_form_field(repair.originals, "from_address", rec.from_address);
  }
  if (problems.empty()) return out;
  rec.malformed = true;
  if (rec.raw.empty()) rec.raw = std::move(repair.originals);
  out.received_data = nlohmann::json{{"problems", problems}}.dump();
  return out;
}

}  // namespace

Id SqliteStore::resolve_customer(sqlite::Connection& db, const std::string& kind,
                                 const std::string& address, const std::string& display_name,
                                 UnixMs now) {
  if (!address.empty()) {
    if (const auto known = memo_.customer(kind, address)) return *known;
    Query known(db.cached("SELECT customer_id FROM identities WHERE kind = ? AND address = ?"),
                kind, address);
    if (known.step()) {
      const Id customer_id = known->int64(0);
      memo_.remember_customer(kind, address, customer_id);
      return customer_id;
    }
  }
  Query(db.cached("INSERT INTO customers(display_name, created_at) VALUES (?, ?)"),
        display_name.empty() ? address : display_name, now)
      .step();
  const Id customer_id = db.last_insert_rowid();
  // Without an address there is nothing to recognise the person by next time.
  if (!address.empty()) {
    Query(db.cached("INSERT INTO identities(customer_id, kind, address, created_at, match_key) "
                    "VALUES (?, ?, ?, ?, ?)"),
          customer_id, kind, address, now, identity_match_key(kind, address))
        .step();
    memo_.remember_customer(kind, address, customer_id);
  }
  return customer_id;
}

SqliteStore::ThreadedConversation SqliteStore::thread_conversation(sqlite::Connection& db,
                                                                   const ThreadRequest& req) {
  ThreadedConversation out;
  if (const auto* known =
          memo_.conversation(req.customer_id, req.channel_instance, req.thread_key)) {
    out.id = known->id;
    out.reopened = req.reopen_resolved && known->status == "resolved";
    out.waiting_customer = known->status == "waiting_customer";
  } else {
    Query open(db.cached("SELECT id, status FROM conversations WHERE customer_id = ? AND "
                         "channel_instance = ? AND thread_key = ? AND status <> 'closed' "
                         "ORDER BY id DESC LIMIT 1"),
               req.customer_id, req.channel_instance, req.thread_key);
    if (open.step()) {
      out.id = open->int64(0);
      std::string status = open->text(1);
      out.reopened = req.reopen_resolved && status == "resolved";
      out.waiting_customer = status == "waiting_customer";
      memo_.remember_conversation(req.customer_id, req.channel_instance, req.thread_key,
                                  {out.id, std::move(status)});
    }
  }
  if (out.id != 0) {
    if (out.reopened) {
      memo_.set_status(req.customer_id, req.channel_instance, req.thread_key, "queued");
      Query(
          db.cached("UPDATE conversations SET status = 'queued', queued_at = ?2, updated_at = ?2, "
                    "previous_agent = COALESCE(assigned_agent, previous_agent), "
                    "assigned_agent = NULL WHERE id = ?1"),
          out.id, req.now)
          .step();
      insert_event(db, out.id, "conversation.reopened", req.actor, "{}", std::nullopt, req.now);
    }
    return out;
  }

  std::optional<std::string> previous_agent;
  {
    Query last(db.cached("SELECT COALESCE(assigned_agent, previous_agent) FROM conversations "
                         "WHERE customer_id = ? AND COALESCE(assigned_agent, previous_agent) IS "
                         "NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1"),
               req.customer_id);
    if (last.step()) previous_agent = last->text(0);
  }
  Query(db.cached("INSERT INTO conversations(customer_id, channel_instance, channel_kind, "
                  "thread_key, status, priority, tier, skills_json, subject, previous_agent, "
                  "our_address, customer_address, customer_address_kind, created_at, updated_at, "
                  "queued_at) SELECT ?1, ?2, ?3, ?4, 'queued', ?5, tier, ?6, ?7, ?8, ?9, ?10, ?11, "
                  "?12, ?12, ?12 FROM customers WHERE id = ?1"),
        req.customer_id, req.channel_instance, req.channel_kind, req.thread_key, req.priority,
        req.skills ? skills_to_json(*req.skills) : std::string("[]"), req.subject, previous_agent,
        req.our_address, req.customer_address, req.customer_address_kind, req.now)
      .step();
  out.id = db.last_insert_rowid();
  out.created = true;
  memo_.remember_conversation(req.customer_id, req.channel_instance, req.thread_key,
                              {out.id, "queued"});
  insert_event(db, out.id, "conversation.created", req.actor, "{}", std::nullopt, req.now);
  insert_event(db, out.id, "conversation.queued", req.actor, "{}", std::nullopt, req.now);
  return out;
}

Id SqliteStore::insert_event(sqlite::Connection& db, Id conversation_id, const std::string& kind,
                             const std::string& actor, const std::string& data_json,
                             std::optional<Id> message_id, UnixMs now) {
  Query(db.cached("INSERT INTO events(conversation_id, kind, actor, data_json, message_id, "
                  "created_at) VALUES (?, ?, ?, ?, ?, ?)"),
        conversation_id, kind, actor,
        data_json.empty() ? std::string("{}") : redactor_.redact_json(data_json), message_id, now)
      .step();
  const Id id = db.last_insert_rowid();
  chain_event(db, id);
  return id;
}

std::string SqliteStore::stored_raw(const std::string& raw) const {
  if (raw.empty()) return raw;
  if (!options_.raw_key.empty()) return redaction::seal_raw(raw, options_.raw_key);
  return redactor_.redact(raw);
}

void SqliteStore::insert_attachments(sqlite::Connection& db,
                                     const std::vector<AttachmentRecord>& attachments,
                                     std::optional<Id> message_id, std::optional<Id> event_id) {
  for (const auto& a : attachments) {
    // The file is durable (fsync + rename) before this transaction can commit, so a committed
    // row never points at a missing file. A rolled-back write leaves an unreferenced file,
    // which is harmless (content-addressed, reused by the next identical upload).
    // A streamed blob is already durable in the store (blob_finish); its reference was checked
    // when the plugin submitted it.
    std::string sha = a.blob_sha256;
    std::int64_t size = a.size;
    if (sha.empty() && !a.data.empty()) {
      sha = files_.put(a.data);
      size = static_cast<std::int64_t>(a.data.size());
    }
    Query(db.cached("INSERT INTO attachments(message_id, event_id, filename, content_type, sha256, "
                    "size, url, content_id, disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
          message_id, event_id, a.filename, a.content_type, sha, size, a.url, a.content_id,
          a.disposition)
        .step();
  }
}

void SqliteStore::ingest_message(InboundRecord rec, Completion<IngestResult> done) {
  PreparedInbound prepared = prepare_inbound(rec, options_.phone_region);
  // Redacted before the write is queued: no full card number reaches the database file, its WAL
  // or the search index (docs/qa.md "Transcripts").
  rec.subject = redactor_.redact(rec.subject);
  rec.body_text = redactor_.redact(rec.body_text);
  rec.body_html = redactor_.redact(rec.body_html);
  rec.metadata_json = redactor_.redact_json(rec.metadata_json);
  rec.raw = stored_raw(rec.raw);
  submit<IngestResult>(
      [this, rec = std::move(rec), prepared = std::move(prepared)](sqlite::Connection& db) {
        IngestResult result;
        if (!rec.provider_message_id.empty()) {
          Query dup(db.cached("SELECT m.id, m.conversation_id, c.customer_id FROM messages m JOIN "
                              "conversations c ON c.id = m.conversation_id "
                              "WHERE m.channel_instance = ? AND m.provider_message_id = ? "
                              // Repeats the partial index's condition so SQLite can use it.
                              "AND m.provider_message_id <> ''"),
                    rec.channel_instance, rec.provider_message_id);
          if (auto earlier = earlier_ingest(dup)) return *earlier;
        }
        const UnixMs now = or_now(rec.received_at);
        const Identity& from = prepared.from;
        const std::string actor = "plugin:" + rec.channel_instance;
        result.customer_id = resolve_customer(db, from.kind, from.address, rec.from_name, now);

        ThreadRequest req;
        req.customer_id = result.customer_id;
        req.channel_instance = rec.channel_instance;
        req.channel_kind = rec.channel_kind;
        req.thread_key = rec.thread_key;
        req.subject = rec.subject;
        req.customer_address_kind = from.kind;
        req.customer_address = from.address;
        req.our_address = rec.to_address;
        req.skills = &rec.skills;
        req.priority = rec.priority >= 1 && rec.priority <= 4 ? rec.priority
                       : rec.default_priority >= 1 && rec.default_priority <= 4
                           ? rec.default_priority
                           : 4;
        req.actor = actor;
        req.now = now;
        // A rating ("5") answering the resolved conversation is stored in it, not reopening it.
        const auto csat = sms_csat_rating(db, req, rec.body_text);
        if (csat) req.reopen_resolved = false;
        const auto conv = thread_conversation(db, req);
        result.conversation_id = conv.id;
        result.new_conversation = conv.created;
        result.reopened = conv.reopened;

        {
          Query insert(
              db.cached("INSERT INTO messages(conversation_id, channel_instance, direction, "
                        "author_kind, author_id, subject, body_text, body_html, "
                        "provider_message_id, malformed, raw, metadata_json, sent_at, created_at) "
                        "VALUES (?, ?, 'in', 'customer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
              conv.id, rec.channel_instance, from.address, rec.subject, rec.body_text,
              rec.body_html, rec.provider_message_id, rec.malformed ? 1 : 0, rec.raw,
              rec.metadata_json, rec.sent_at, now);
          // A plugin's audit copy that is not UTF-8 (an 8-bit mail) is kept byte for byte as a
          // BLOB, which every reader takes as bytes instead of failing on it as text.
          if (!utf8::is_valid(rec.raw)) insert->bind_blob(9, rec.raw);
          insert.step();
        }
        result.message_id = db.last_insert_rowid();
        insert_attachments(db, rec.attachments, result.message_id, std::nullopt);
        insert_event(db, conv.id, "message.received", actor, prepared.received_data,
                     result.message_id, now);
        if (csat) record_csat(db, {conv.id, *csat, "sms", actor, now});
        // The customer answered: a conversation waiting on them is the agent's turn again. The
        // status is only written when it changes, because writing it makes SQLite evaluate the
        // status CHECK (an IN list it builds a temporary b-tree for) on every message.
        Query(db.cached(conv.waiting_customer
                            ? "UPDATE conversations SET last_inbound_message_id = ?2, "
                              "updated_at = ?3, status = 'assigned' WHERE id = ?1"
                            : "UPDATE conversations SET last_inbound_message_id = ?2, "
                              "updated_at = ?3 WHERE id = ?1"),
              conv.id, result.message_id, now)
            .step();
        if (conv.waiting_customer)
          memo_.set_status(req.customer_id, req.channel_instance, req.thread_key, "assigned");
        return result;
      },
      std::move(done), Writes::ingest);
}

void SqliteStore::ingest_channel_event(ChannelEventRecord rec, Completion<IngestResult> done) {
  // Events have no audit copy: their text is repaired, and an unverified sender is named by kind.
  repair_text({{"provider_event_id", &rec.provider_event_id},
               {"kind", &rec.kind},
               {"to_address", &rec.to_address},
               {"thread_key", &rec.thread_key},
               {"data_json", &rec.data_json}});
  for (auto& a : rec.attachments)
    repair_text({{"filename", &a.filename}, {"content_type", &a.content_type}, {"url", &a.url}});
  Identity from =
      parse_identity(rec.from_kind, rec.from_address,
                     rec.phone_region.empty() ? options_.phone_region : rec.phone_region);
  submit<IngestResult>(
      [this, rec = std::move(rec), from = std::move(from)](sqlite::Connection& db) {
        IngestResult result;
        if (rec.kind.empty()) throw std::invalid_argument("channel event without a kind");
        if (!rec.provider_event_id.empty()) {
          Query dup(db.cached("SELECT ev.id, ev.conversation_id, c.customer_id FROM "
                              "channel_events ce JOIN events ev ON ev.id = ce.event_id JOIN "
                              "conversations c ON c.id = ev.conversation_id WHERE "
                              "ce.channel_instance = ? AND ce.provider_event_id = ? AND "
                              "ce.provider_event_id <> ''"),
                    rec.channel_instance, rec.provider_event_id);
          if (auto earlier = earlier_ingest(dup)) return *earlier;
        }
        const UnixMs now = or_now(rec.at);
        const std::string actor = "plugin:" + rec.channel_instance;
        result.customer_id = resolve_customer(db, from.kind, from.address, std::string(), now);
        ThreadRequest req;
        req.customer_id = result.customer_id;
        req.channel_instance = rec.channel_instance;
        req.channel_kind = rec.channel_kind;
        req.thread_key = rec.thread_key;
        req.customer_address_kind = from.kind;
        req.customer_address = from.address;
        req.our_address = rec.to_address;
        req.actor = actor;
        // Call progress or a late recording must not pull a resolved conversation back.
        req.reopen_resolved = false;
        req.now = now;
        const auto conv = thread_conversation(db, req);
        result.conversation_id = conv.id;
        result.new_conversation = conv.created;
        result.message_id = insert_event(
            db, conv.id, rec.kind, actor,
            json_object_with(rec.data_json, {}, "channel event data_json"), std::nullopt, now);
        insert_attachments(db, rec.attachments, std::nullopt, result.message_id);
        Query(db.cached("INSERT INTO channel_events(channel_instance, provider_event_id, event_id) "
                        "VALUES (?, ?, ?)"),
              rec.channel_instance, rec.provider_event_id, result.message_id)
            .step();
        return result;
      },
      std::move(done), Writes::ingest);
}

void SqliteStore::apply_receipt(sqlite::Connection& db, const StoredReceipt& receipt,
                                const DeliveryRecord& rec, UnixMs now) {
  if (delivery_state_advances(receipt.current_state, rec.state)) {
    Query(db.cached("UPDATE messages SET delivery_state = ?2, "
                    "error_code = CASE WHEN ?3 <> '' THEN ?3 ELSE error_code END, "
                    "error_text = CASE WHEN ?4 <> '' THEN ?4 ELSE error_text END "
                    "WHERE id = ?1"),
          receipt.message_id, rec.state, rec.error_code, rec.error_text)
        .step();
  }
  // Every receipt is kept on the timeline, also those that do not move the state.
  nlohmann::json data{{"message_id", receipt.message_id}};
  if (!rec.error_code.empty()) data["error_code"] = rec.error_code;
  if (!rec.error_text.empty()) data["error_text"] = rec.error_text;
  insert_event(db, receipt.conversation_id, "delivery." + rec.state,
               "plugin:" + rec.channel_instance, data.dump(), std::nullopt, now);
}

void SqliteStore::ingest_delivery(DeliveryRecord rec, Completion<DeliveryResult> done) {
  repair_text({{"provider_message_id", &rec.provider_message_id},
               {"error_code", &rec.error_code},
               {"error_text", &rec.error_text}});
  submit<DeliveryResult>(
      [this, rec = std::move(rec)](sqlite::Connection& db) {
        if (delivery_rank(rec.state) < 0 && !is_terminal_failure(rec.state)) {
          throw std::invalid_argument("unknown delivery state '" + rec.state + "'");
        }
        DeliveryResult result;
        StoredReceipt receipt;
        const UnixMs now = or_now(rec.at);
        {
          Query q(db.cached("SELECT id, conversation_id, delivery_state FROM messages WHERE "
                            "channel_instance = ? AND provider_message_id = ? AND "
                            "provider_message_id <> '' AND direction = 'out'"),
                  rec.channel_instance, rec.provider_message_id);
          if (!q.step()) {
            hold_early_receipt(db, rec, now);
            return result;
          }
          result.found = true;
          receipt = {q->int64(0), q->int64(1), q->text(2)};
        }
        result.message_id = receipt.message_id;
        result.conversation_id = receipt.conversation_id;
        apply_receipt(db, receipt, rec, now);
        return result;
      },
      std::move(done), Writes::ingest);
}

void SqliteStore::hold_early_receipt(sqlite::Connection& db, const DeliveryRecord& rec,
                                     UnixMs now) {
  // Receipts for ids no send of ours ever reports (messages sent outside omnigate) would stay
  // forever; a send is recorded within seconds of its receipts, so a week is ample.
  constexpr UnixMs kHeldFor = 7LL * 24 * 60 * 60 * 1000;
  Query(db.cached("DELETE FROM early_receipts WHERE at < ?"), now - kHeldFor).step();
  Query(db.cached("INSERT INTO early_receipts(channel_instance, provider_message_id, state, "
                  "error_code, error_text, at) VALUES (?, ?, ?, ?, ?, ?)"),
        rec.channel_instance, rec.provider_message_id, rec.state, rec.error_code, rec.error_text,
        now)
      .step();
}

void SqliteStore::apply_early_receipts(sqlite::Connection& db, Id outbox_id) {
  DeliveryRecord rec;
  StoredReceipt receipt;
  {
    Query q(db.cached("SELECT o.channel_instance, m.provider_message_id, m.id, "
                      "m.conversation_id FROM outbox o JOIN messages m ON m.id = o.message_id "
                      "WHERE o.id = ?"),
            outbox_id);
    if (!q.step()) return;
    rec.channel_instance = q->text(0);
    rec.provider_message_id = q->text(1);
    receipt.message_id = q->int64(2);
    receipt.conversation_id = q->int64(3);
  }
  std::vector<std::pair<DeliveryRecord, UnixMs>> held;
  {
    Query q(db.cached("SELECT state, error_code, error_text, at FROM early_receipts WHERE "
                      "channel_instance = ? AND provider_message_id = ? ORDER BY id"),
            rec.channel_instance, rec.provider_message_id);
    while (q.step()) {
      DeliveryRecord r = rec;
      r.state = q->text(0);
      r.error_code = q->text(1);
      r.error_text = q->text(2);
      held.emplace_back(std::move(r), q->int64(3));
    }
  }
  if (held.empty()) return;
  for (const auto& [r, at] : held) {
    // Re-read: each applied receipt may have moved the state.
    Query q(db.cached("SELECT delivery_state FROM messages WHERE id = ?"), receipt.message_id);
    q.step();
    receipt.current_state = q->text(0);
    apply_receipt(db, receipt, r, at);
  }
  Query(db.cached("DELETE FROM early_receipts WHERE channel_instance = ? AND "
                  "provider_message_id = ?"),
        rec.channel_instance, rec.provider_message_id)
      .step();
}

void SqliteStore::enqueue_reply(ReplyRecord rec, Completion<ReplyResult> done) {
  // The outbox sends the stored text, so the customer receives the redacted reply too: an agent
  // never needs to send a full card number, and keeping one to send would put it in the file.
  rec.subject = redactor_.redact(rec.subject);
  rec.body_text = redactor_.redact(rec.body_text);
  rec.body_html = redactor_.redact(rec.body_html);
  submit<ReplyResult>(
      [this, rec = std::move(rec)](sqlite::Connection& db) {
        // Looked up in the writer's transaction: a concurrent retry with the same key is
        // serialised behind the first and finds it. Before the status checks, because a stored
        // reply stays the answer to its key even after the conversation was closed.
        if (!rec.client_key.empty()) {
          if (auto earlier = earlier_reply(db, rec)) return *earlier;
        }
        std::string channel_instance;
        {
          Query q(db.cached("SELECT status, channel_instance FROM conversations WHERE id = ?"),
                  rec.conversation_id);
          if (!q.step()) {
            throw std::invalid_argument("conversation " + std::to_string(rec.conversation_id) +
                                        " does not exist");
          }
          if (q->text(0) == "closed") {
            throw std::invalid_argument("conversation " + std::to_string(rec.conversation_id) +
                                        " is closed");
          }
          channel_instance = q->text(1);
        }
        if (rec.agent_id.empty()) throw std::invalid_argument("reply without an agent");
        const UnixMs now = or_now(rec.at);
        ReplyResult result;
        Query(db.cached("INSERT INTO messages(conversation_id, channel_instance, direction, "
                        "author_kind, author_id, subject, body_text, body_html, delivery_state, "
                        "client_key, created_at) "
                        "VALUES (?, ?, 'out', 'agent', ?, ?, ?, ?, 'pending', ?, ?)"),
              rec.conversation_id, channel_instance, rec.agent_id, rec.subject, rec.body_text,
              rec.body_html,
              rec.client_key.empty() ? std::nullopt : std::optional<std::string>(rec.client_key),
              now)
            .step();
        result.message_id = db.last_insert_rowid();
        insert_attachments(db, rec.attachments, result.message_id, std::nullopt);
        Query(db.cached("INSERT INTO outbox(message_id, channel_instance, state, next_attempt_at, "
                        "created_at, updated_at) VALUES (?, ?, 'pending', ?3, ?3, ?3)"),
              result.message_id, channel_instance, now)
            .step();
        result.outbox_id = db.last_insert_rowid();
        // The provider sees this key on every attempt of the row, so a retry after a crash
        // cannot produce a second message.
        Query(db.cached("UPDATE outbox SET idempotency_key = 'og-' || id WHERE id = ?"),
              result.outbox_id)
            .step();
        insert_event(db, rec.conversation_id, "message.sent", "agent:" + rec.agent_id, "{}",
                     result.message_id, now);
        Query(db.cached("UPDATE conversations SET first_response_at = COALESCE(first_response_at, "
                        "?2), status = 'waiting_customer', updated_at = ?2 WHERE id = ?1"),
              rec.conversation_id, now)
            .step();
        return result;
      },
      std::move(done));
}

}  // namespace omnigate::store
