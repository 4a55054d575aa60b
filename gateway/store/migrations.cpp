#include "store/migrations.hpp"

#include "store/identity_renormalisation.hpp"
#include "store/transcript_chain.hpp"
#include "store/valid_text_migration.hpp"

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>

namespace omnigate::store {
namespace {

// Version 1: the whole model. Events' INTEGER PRIMARY KEY is the single commit-ordered sequence
// of a transcript: every message has an event ("message.received"/"message.sent") pointing at
// it, so messages and events sort together by events.id.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL DEFAULT '',
  tier TEXT NOT NULL DEFAULT 'C' CHECK (tier IN ('S','A','B','C')),
  attributes_json TEXT NOT NULL DEFAULT '{}',
  account_team TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (kind, address)
);
CREATE INDEX identities_customer ON identities(customer_id);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  channel_instance TEXT NOT NULL,
  channel_kind TEXT NOT NULL,
  thread_key TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued','assigned','waiting_customer','resolved','closed')),
  priority INTEGER NOT NULL DEFAULT 4 CHECK (priority BETWEEN 1 AND 4),
  tier TEXT NOT NULL DEFAULT 'C' CHECK (tier IN ('S','A','B','C')),
  skills_json TEXT NOT NULL DEFAULT '[]',
  subject TEXT NOT NULL DEFAULT '',
  assigned_agent TEXT,
  previous_agent TEXT,
  our_address TEXT NOT NULL DEFAULT '',
  customer_address TEXT NOT NULL DEFAULT '',
  customer_address_kind TEXT NOT NULL DEFAULT '',
  first_response_due INTEGER,
  resolution_due INTEGER,
  first_response_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  last_inbound_message_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_open_thread ON conversations(customer_id, channel_instance, thread_key)
  WHERE status <> 'closed';
CREATE INDEX conversations_status ON conversations(status);
CREATE INDEX conversations_agent ON conversations(assigned_agent);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  channel_instance TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in','out')),
  author_kind TEXT NOT NULL CHECK (author_kind IN ('customer','agent','system','bot')),
  author_id TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body_text TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  provider_message_id TEXT NOT NULL DEFAULT '',
  delivery_state TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  error_text TEXT NOT NULL DEFAULT '',
  malformed INTEGER NOT NULL DEFAULT 0,
  raw TEXT NOT NULL DEFAULT '',
  metadata_json TEXT NOT NULL DEFAULT '',
  sent_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_provider_id ON messages(channel_instance, provider_message_id)
  WHERE provider_message_id <> '';
CREATE INDEX messages_conversation ON messages(conversation_id);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  kind TEXT NOT NULL,
  actor TEXT NOT NULL DEFAULT 'system',
  data_json TEXT NOT NULL DEFAULT '{}',
  message_id INTEGER REFERENCES messages(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX events_conversation ON events(conversation_id, id);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  message_id INTEGER REFERENCES messages(id),
  event_id INTEGER REFERENCES events(id),
  filename TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_message ON attachments(message_id);
CREATE INDEX attachments_event ON attachments(event_id);

CREATE TABLE channel_events (
  id INTEGER PRIMARY KEY,
  channel_instance TEXT NOT NULL,
  provider_event_id TEXT NOT NULL DEFAULT '',
  event_id INTEGER NOT NULL REFERENCES events(id)
);
CREATE UNIQUE INDEX channel_events_provider_id ON channel_events(channel_instance, provider_event_id)
  WHERE provider_event_id <> '';

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL DEFAULT '',
  team TEXT NOT NULL DEFAULT '',
  skills_json TEXT NOT NULL DEFAULT '[]',
  tiers_json TEXT NOT NULL DEFAULT '[]',
  capacity_json TEXT NOT NULL DEFAULT '{}',
  presence TEXT NOT NULL DEFAULT 'offline',
  presence_since INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('agent','supervisor','qa','admin')),
  agent_id TEXT
);
CREATE TABLE tokens (
  sha256 TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
  channel_instance TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending','sending','retry','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  provider_message_id TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL DEFAULT '',
  remote_addr TEXT NOT NULL DEFAULT '',
  detail_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);

CREATE TABLE plugin_kv (
  instance TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (instance, key)
) WITHOUT ROWID;
)sql";

// Version 2: the sticky-agent lookup (a customer's latest conversation) must not scan every
// conversation; the thread index is partial (open conversations) and cannot serve it.
constexpr const char* kCustomerConversationsIndex = R"sql(
CREATE INDEX conversations_customer ON conversations(customer_id, updated_at);
)sql";

// Version 3: a customer's named account manager (B tier, or A/S beside their account team), and
// the client's Idempotency-Key on agent replies, kept in the same transaction as the reply so a
// retried POST after a crash or a lost response finds the first reply instead of sending twice.
constexpr const char* kAccountManagerAndReplyKeys = R"sql(
ALTER TABLE customers ADD COLUMN account_manager TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX messages_client_key ON messages(author_id, client_key)
  WHERE client_key IS NOT NULL;
)sql";

// Version 4: who set a customer's tier ('initial', 'rule' or 'manual'), so that tier rules never
// lower a tier a person chose (docs/routing.md "Tier rules").
constexpr const char* kCustomerTierSource = R"sql(
ALTER TABLE customers ADD COLUMN tier_source TEXT NOT NULL DEFAULT 'initial';
)sql";

// Version 5: delivery receipts that arrive before the send that they report was recorded. A
// provider may call back (Twilio: "sent", "delivered") before the gateway has stored the provider
// id its API answered with; such receipts wait here and are applied when the id is recorded,
// instead of being lost.
constexpr const char* kEarlyReceipts = R"sql(
CREATE TABLE early_receipts (
  id INTEGER PRIMARY KEY,
  channel_instance TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  state TEXT NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  error_text TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX early_receipts_message ON early_receipts(channel_instance, provider_message_id);
CREATE INDEX early_receipts_at ON early_receipts(at);
)sql";

// Version 6: the same CHECK constraints, written as OR-ed equalities. SQLite compiles a CHECK
// with an IN list of more than two values into a temporary b-tree that it builds on every
// INSERT, which cost ~45k instructions per inbound message (bench/README.md); the rows stay
// valid, so only the definitions' text changes.
constexpr const char* kCheapChecks = R"sql(
UPDATE sqlite_master SET sql = replace(replace(replace(replace(replace(sql,
  'CHECK (tier IN (''S'',''A'',''B'',''C''))',
  'CHECK (tier = ''S'' OR tier = ''A'' OR tier = ''B'' OR tier = ''C'')'),
  'CHECK (status IN (''queued'',''assigned'',''waiting_customer'',''resolved'',''closed''))',
  'CHECK (status = ''queued'' OR status = ''assigned'' OR status = ''waiting_customer'' OR status = ''resolved'' OR status = ''closed'')'),
  'CHECK (author_kind IN (''customer'',''agent'',''system'',''bot''))',
  'CHECK (author_kind = ''customer'' OR author_kind = ''agent'' OR author_kind = ''system'' OR author_kind = ''bot'')'),
  'CHECK (role IN (''agent'',''supervisor'',''qa'',''admin''))',
  'CHECK (role = ''agent'' OR role = ''supervisor'' OR role = ''qa'' OR role = ''admin'')'),
  'CHECK (state IN (''pending'',''sending'',''retry'',''sent'',''failed''))',
  'CHECK (state = ''pending'' OR state = ''sending'' OR state = ''retry'' OR state = ''sent'' OR state = ''failed'')')
WHERE type = 'table' AND name IN ('customers', 'conversations', 'messages', 'users', 'outbox');
)sql";

// Version 7: a conversation's home team (set by a transfer to a team), so the restriction
// survives the routing engine's rebuild from the store on restart and SIGHUP.
constexpr const char* kConversationTeam = R"sql(
ALTER TABLE conversations ADD COLUMN team TEXT NOT NULL DEFAULT '';
)sql";

// Version 8: when a conversation became a complaint (NULL = not one), so complaint escalation
// keeps its times across the routing engine's rebuild on restart and SIGHUP.
constexpr const char* kConversationComplaint = R"sql(
ALTER TABLE conversations ADD COLUMN complaint_at INTEGER;
)sql";

// Version 9: text that is not UTF-8 is repaired in every column customers and providers reach
// (valid_text_migration.hpp); the store repairs it on the way in from now on.

// Version 10: the replies a channel may poll its provider about when status callbacks were lost
// (Store::unsettled_sends): sent rows of an instance by the time they were recorded as sent.
constexpr const char* kOutboxSentIndex = R"sql(
CREATE INDEX outbox_sent ON outbox(channel_instance, updated_at) WHERE state = 'sent';
)sql";

// Version 11: what plugin ABI 2.0 adds to the model — an attachment's MIME Content-ID and
// disposition (inline parts referenced as cid:), and an agent's contact fields (a JSON object
// such as {"phone":...,"sip":...}) that a channel plugin is told when the agent takes over.
constexpr const char* kAttachmentPartsAgentContact = R"sql(
ALTER TABLE attachments ADD COLUMN content_id TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN contact_json TEXT NOT NULL DEFAULT '{}';
)sql";

// Version 12: what a crashing plugin leaves behind (docs/operations.md "Quarantine and disabled
// instances"). plugin_crash_log has one row per crash, for the crash-loop guard's window;
// quarantine one row per input that was in the plugin when it crashed (counted per input, kept
// raw so an operator can read, release or drop it); plugin_instance_state the instances the
// guard (or an operator) disabled. An outbox row whose send keeps crashing its plugin becomes
// "quarantined": the sender never picks it up again unless it is released.
constexpr const char* kPluginCrashTables = R"sql(
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  instance TEXT NOT NULL,
  input_kind TEXT NOT NULL
    CHECK (input_kind = 'http' OR input_kind = 'ws' OR input_kind = 'outbox'),
  input_key TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'suspect'
    CHECK (status = 'suspect' OR status = 'quarantined' OR status = 'released'
           OR status = 'dropped'),
  crashes INTEGER NOT NULL DEFAULT 0,
  first_crash_at INTEGER NOT NULL,
  last_crash_at INTEGER NOT NULL,
  last_reason TEXT NOT NULL DEFAULT '',
  raw BLOB NOT NULL DEFAULT X'',
  quarantined_at INTEGER,
  released_at INTEGER,
  released_by TEXT,
  replayed_at INTEGER,
  dropped_at INTEGER,
  dropped_by TEXT,
  UNIQUE (instance, input_kind, input_key)
);
CREATE INDEX quarantine_status ON quarantine(status, instance);

CREATE TABLE plugin_crash_log (
  id INTEGER PRIMARY KEY,
  instance TEXT NOT NULL,
  at INTEGER NOT NULL,
  mode TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  input_kind TEXT NOT NULL DEFAULT '',
  input_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plugin_crash_log_instance ON plugin_crash_log(instance, at);

CREATE TABLE plugin_instance_state (
  instance TEXT PRIMARY KEY,
  disabled INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  changed_at INTEGER NOT NULL,
  changed_by TEXT NOT NULL DEFAULT ''
);
)sql";

// ... and the outbox state that keeps such a row away from the sender. Adding a value to a
// CHECK leaves every stored row valid, so the table's text is edited rather than rebuilt.
constexpr const char* kOutboxQuarantinedState = R"sql(
UPDATE sqlite_master SET sql = replace(sql,
  'CHECK (state = ''pending'' OR state = ''sending'' OR state = ''retry'' OR state = ''sent'' OR state = ''failed'')',
  'CHECK (state = ''pending'' OR state = ''sending'' OR state = ''retry'' OR state = ''sent'' OR state = ''failed'' OR state = ''quarantined'')')
WHERE type = 'table' AND name = 'outbox';
)sql";

void add_plugin_crash_tables(sqlite::Connection& db);

// Version 13: the SLA clock routing keeps across restarts: the hard resolution limit next to the
// two deadlines, the start of an ongoing pause (waiting on the customer), and whether the
// deadlines carry the shifts of earlier pauses (then a rebuild uses them instead of computing
// them from arrival).
constexpr const char* kSlaClock = R"sql(
ALTER TABLE conversations ADD COLUMN resolution_max_due INTEGER;
ALTER TABLE conversations ADD COLUMN sla_paused_since INTEGER;
ALTER TABLE conversations ADD COLUMN sla_deadlines_shifted INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 14 (13 is the restart work's): complaints as a process and the people of a
// customer's dedicated group (docs/service-processes.md). The ladder's per-level record is
// record_json; status and level are columns because lists filter by them. CHECKs are OR-ed
// equalities like migration 6 writes them.
constexpr const char* kComplaintsAndContacts = R"sql(
CREATE TABLE complaints (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  severity TEXT NOT NULL CHECK (severity = 'normal' OR severity = 'major'),
  status TEXT NOT NULL CHECK (status = 'open' OR status = 'closed'),
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
  filed_at INTEGER NOT NULL,
  record_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX complaints_status ON complaints(status, id);
CREATE INDEX complaints_conversation ON complaints(conversation_id);

CREATE TABLE customer_contacts (
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  role TEXT NOT NULL,
  agent_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (customer_id, role)
);
)sql";

// Version 15: every change of a customer's tier with who made it and why (the handbooks ask for
// the reason of each re-grading), and the runs of the value-based recomputation, whose newest
// start tells the schedule whether this period's run is still due.
constexpr const char* kTierHistory = R"sql(
CREATE TABLE customer_tier_changes (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  old_tier TEXT NOT NULL,
  new_tier TEXT NOT NULL,
  source TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason_json TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX customer_tier_changes_customer ON customer_tier_changes(customer_id, id);

CREATE TABLE valuation_runs (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  actor TEXT NOT NULL,
  valued INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  kept_manual INTEGER NOT NULL
);
)sql";

// Version 16: the contact logs each end of an agent's contact owes (contact_log_records.hpp),
// and how far the events were read for contact ends (so none is opened twice or missed).
constexpr const char* kContactLogs = R"sql(
CREATE TABLE contact_logs (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  agent TEXT NOT NULL,
  end_event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),
  ended_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  logged_at INTEGER,
  reminded_at INTEGER,
  overdue_at INTEGER
);
CREATE INDEX contact_logs_open ON contact_logs(due_at) WHERE logged_at IS NULL;
CREATE INDEX contact_logs_conversation ON contact_logs(conversation_id);
CREATE INDEX contact_logs_ended ON contact_logs(ended_at);
CREATE INDEX events_kind ON events(kind, id);

CREATE TABLE contact_log_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id INTEGER NOT NULL
);
INSERT INTO contact_log_cursor(id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
)sql";

// Version 17: after-sales service cases (service_case_records.hpp): one per conversation at a
// time, its current stage and target, and the history of its stages (the stage report).
constexpr const char* kServiceCases = R"sql(
CREATE TABLE service_cases (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  stage TEXT NOT NULL,
  stage_since INTEGER NOT NULL,
  stage_due_at INTEGER,
  overdue_at INTEGER,
  opened_at INTEGER NOT NULL,
  opened_by TEXT NOT NULL
);
CREATE UNIQUE INDEX service_cases_open ON service_cases(conversation_id) WHERE stage <> 'closed';
CREATE INDEX service_cases_due ON service_cases(stage_due_at) WHERE stage <> 'closed';

CREATE TABLE service_case_stages (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES service_cases(id),
  stage TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  due_at INTEGER,
  left_at INTEGER
);
CREATE INDEX service_case_stages_case ON service_case_stages(case_id, id);
CREATE INDEX service_case_stages_entered ON service_case_stages(entered_at);
)sql";

// Version 19: accounts (docs/api.md "Authentication"). A user holds a set of roles (their one
// role becomes the set), may have an argon2id password, and logs in to sessions; integrations get
// scoped API tokens. Failed logins are counted per name for the lock-out. The audit log becomes
// append-only in the database itself, so no code path, old or new, can rewrite it. CHECKs are
// OR-ed equalities, as migration 6 made the others.
constexpr const char* kAccounts = R"sql(
CREATE TABLE user_roles (
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  role TEXT NOT NULL
    CHECK (role = 'agent' OR role = 'supervisor' OR role = 'qa' OR role = 'admin'),
  PRIMARY KEY (user_name, role)
) WITHOUT ROWID;
INSERT INTO user_roles(user_name, role) SELECT name, role FROM users;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE credentials (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind = 'session' OR kind = 'api'),
  scopes TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX credentials_user ON credentials(user_name, kind);

CREATE TABLE login_failures (
  name TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
);

CREATE INDEX audit_created ON audit(created_at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Version 20: outbound webhooks (docs/api.md "Outbound webhooks"). Each row is one event for one
// subscription, with the exact body every attempt sends; the cursor says how far the events were
// read, so an event is enqueued once and none is missed across restarts. It starts at the newest
// event: subscribers get what happens from now on, not the history.
constexpr const char* kWebhookDeliveries = R"sql(
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  subscription TEXT NOT NULL,
  event_id INTEGER NOT NULL REFERENCES events(id),
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state = 'pending' OR state = 'sending' OR state = 'retry' OR state = 'delivered'
           OR state = 'failed'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (subscription, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
  WHERE state = 'pending' OR state = 'sending' OR state = 'retry';
CREATE INDEX webhook_deliveries_state ON webhook_deliveries(state, id);

CREATE TABLE webhook_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id INTEGER NOT NULL
);
INSERT INTO webhook_cursor(id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
)sql";

// Version 21: the agents' workspace (docs/api.md "Preferences", "Canned responses"). Each user
// chooses the console's language and time zone (NULL: the console's default / the browser's);
// canned responses are the texts agents insert into replies. '' stands for "any language" and
// "every team" so that UNIQUE can hold one shortcut per language (SQLite lets NULLs repeat).
constexpr const char* kWorkspace = R"sql(
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE users ADD COLUMN time_zone TEXT;

CREATE TABLE canned_responses (
  id INTEGER PRIMARY KEY,
  shortcut TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT '',
  team TEXT NOT NULL DEFAULT '',
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (shortcut, language)
);
)sql";

// Version 22: quality review (docs/qa.md). A sample keeps its strategy, filter and seed, so
// drawing it again over the same data yields the same conversations; a scorecard version is never
// changed once stored (reviews point at the version they were scored with); a review's score of
// NULL is N/A. CHECKs are OR-ed equalities, as migration 6 made the others.
constexpr const char* kQualityReview = R"sql(
CREATE TABLE qa_samples (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  strategy_json TEXT NOT NULL,
  filter_json TEXT NOT NULL,
  seed INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE qa_sample_items (
  sample_id INTEGER NOT NULL REFERENCES qa_samples(id),
  position INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  agent TEXT NOT NULL DEFAULT '',
  stratum TEXT NOT NULL DEFAULT '',
  reviewer TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (sample_id, position),
  UNIQUE (sample_id, conversation_id)
);
CREATE INDEX qa_sample_items_reviewer ON qa_sample_items(reviewer);

CREATE TABLE qa_scorecards (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition_json TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (name, version)
);

CREATE TABLE qa_reviews (
  id INTEGER PRIMARY KEY,
  scorecard_id INTEGER NOT NULL REFERENCES qa_scorecards(id),
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  sample_id INTEGER REFERENCES qa_samples(id),
  reviewer TEXT NOT NULL,
  agent TEXT NOT NULL DEFAULT '',
  expert INTEGER NOT NULL DEFAULT 0,
  overall REAL NOT NULL,
  auto_failed INTEGER NOT NULL DEFAULT 0,
  comment TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'submitted'
    CHECK (state = 'submitted' OR state = 'acknowledged' OR state = 'disputed'
           OR state = 'dispute_upheld' OR state = 'dispute_rejected'),
  dispute_reason TEXT NOT NULL DEFAULT '',
  resolution_note TEXT NOT NULL DEFAULT '',
  resolved_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX qa_reviews_conversation ON qa_reviews(conversation_id);
CREATE INDEX qa_reviews_agent ON qa_reviews(agent, id);
CREATE INDEX qa_reviews_reviewer ON qa_reviews(reviewer, id);
CREATE INDEX qa_reviews_sample ON qa_reviews(sample_id) WHERE sample_id IS NOT NULL;

CREATE TABLE qa_review_scores (
  review_id INTEGER NOT NULL REFERENCES qa_reviews(id),
  criterion TEXT NOT NULL,
  score INTEGER,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (review_id, criterion)
) WITHOUT ROWID;

CREATE INDEX conversations_created ON conversations(created_at);
)sql";

// Version 23: transcripts for QA (docs/qa.md "Transcripts"). Full-text search over the (redacted)
// subject and body of every message: an external-content FTS5 index the triggers keep in step with
// the messages table, whichever code path writes it; existing rows are indexed here. And the
// tamper-evident chain: each event's hash (transcript_chain.hpp), computed here for the existing
// events in commit order.
constexpr const char* kTranscriptSearchAndChain = R"sql(
CREATE VIRTUAL TABLE messages_fts USING fts5(subject, body_text, content = 'messages',
  content_rowid = 'id');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body_text)
    VALUES ('delete', old.id, old.subject, old.body_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, body_text ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body_text)
    VALUES ('delete', old.id, old.subject, old.body_text);
  INSERT INTO messages_fts(rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
)sql";

void add_search_and_chain(sqlite::Connection& db) {
  db.exec(kTranscriptSearchAndChain);
  backfill_transcript_chain(db);
}

// Version 24: customer satisfaction (docs/qa.md "CSAT"): one rating per conversation, the newest;
// each rating is also a csat.received event in the transcript.
constexpr const char* kCsatRatings = R"sql(
CREATE TABLE csat_ratings (
  conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  source TEXT NOT NULL,
  actor TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
)sql";

// Version 25: erasure, legal holds and retention (erasure_records.hpp).
// An emptied conversation keeps its row and says when it was emptied (retention passes it by);
// a customer under legal hold can be neither erased nor expired.
constexpr const char* kErasureAndLegalHolds = R"sql(
ALTER TABLE conversations ADD COLUMN erased_at INTEGER;
CREATE TABLE legal_holds (
  customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  held_at INTEGER NOT NULL
);
)sql";

// Version 26: a conversation's events by kind (bench/README.md "qa"). Sampling reads, for each
// conversation of a period, whether it was resolved, breached, escalated or transferred; through
// events_conversation each of those reads every event row of the conversation, which made a week
// of a large store twice as slow as plain reads of its rows. Covering created_at answers "when
// was it resolved" from the index alone. It costs one index entry more per event written.
constexpr const char* kEventsByConversationAndKind = R"sql(
CREATE INDEX events_conversation_kind ON events(conversation_id, kind, created_at);
)sql";

constexpr std::array<Migration, 26> kMigrations{{{1, kInitialSchema},
                                                 {2, kCustomerConversationsIndex},
                                                 {3, kAccountManagerAndReplyKeys},
                                                 {4, kCustomerTierSource},
                                                 {5, kEarlyReceipts},
                                                 {6, kCheapChecks, true},
                                                 {7, kConversationTeam},
                                                 {8, kConversationComplaint},
                                                 {9, nullptr, false, repair_stored_text},
                                                 {10, kOutboxSentIndex},
                                                 {11, kAttachmentPartsAgentContact},
                                                 {12, nullptr, false, add_plugin_crash_tables},
                                                 {13, kSlaClock},
                                                 {14, kComplaintsAndContacts},
                                                 {15, kTierHistory},
                                                 {16, kContactLogs},
                                                 {17, kServiceCases},
                                                 {18, nullptr, false, add_customer_merges},
                                                 {19, kAccounts},
                                                 {20, kWebhookDeliveries},
                                                 {21, kWorkspace},
                                                 {22, kQualityReview},
                                                 {23, nullptr, false, add_search_and_chain},
                                                 {24, kCsatRatings},
                                                 {25, kErasureAndLegalHolds},
                                                 {26, kEventsByConversationAndKind}}};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ensure_migrations_table(sqlite::Connection& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at INTEGER NOT NULL)");
}

// SQLite's procedure for schema changes that leave every stored row valid
// (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"),
// inside the caller's transaction.
void edit_schema_text(sqlite::Connection& db, const char* sql) {
  std::int64_t cookie = 0;
  {
    sqlite::Query q(db.cached("PRAGMA schema_version"));
    q.step();
    cookie = q->int64(0);
  }
  db.exec("PRAGMA writable_schema = ON");
  db.exec(sql);
  db.exec("PRAGMA schema_version = " + std::to_string(cookie + 1));
  db.exec("PRAGMA writable_schema = OFF");
  sqlite::Query check(db.cached("PRAGMA quick_check"));
  check.step();
  if (check->text(0) != "ok") throw std::runtime_error("schema check failed: " + check->text(0));
}

void add_plugin_crash_tables(sqlite::Connection& db) {
  db.exec(kPluginCrashTables);
  edit_schema_text(db, kOutboxQuarantinedState);
  // A replace() that matched nothing would leave the outbox unable to hold a quarantined row.
  sqlite::Query q(
      db.cached("SELECT instr(sql, 'state = ''quarantined''') FROM sqlite_master "
                "WHERE type = 'table' AND name = 'outbox'"));
  if (!q.step() || q->int64(0) == 0)
    throw std::runtime_error("the outbox table's state CHECK is not the one migration 6 wrote");
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int schema_version(sqlite::Connection& db) {
  auto& exists =
      db.cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  {
    sqlite::Query q(exists);
    if (!q.step()) return 0;
  }
  sqlite::Query q(db.cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  q.step();
  return static_cast<int>(q->int64(0));
}

int apply_migrations(sqlite::Connection& db) {
  ensure_migrations_table(db);
  const int known = kMigrations.back().version;
  int version = schema_version(db);
  if (version > known) {
    throw std::runtime_error("database " + db.path() + " has schema version " +
                             std::to_string(version) + " but this omnigate knows only up to " +
                             std::to_string(known) + "; upgrade omnigate");
  }
  for (const auto& m : kMigrations) {
    if (m.version <= version) continue;
    // IMMEDIATE: a second process migrating at the same time waits instead of racing.
    db.exec("BEGIN IMMEDIATE");
    try {
      // Re-check inside the lock: another process may have applied it meanwhile.
      if (schema_version(db) >= m.version) {
        db.exec("COMMIT");
        continue;
      }
      if (m.rewrite) {
        m.rewrite(db);
      } else if (m.edits_schema_text) {
        edit_schema_text(db, m.sql);
      } else {
        db.exec(m.sql);
      }
      sqlite::Query(db.cached("INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)"),
                    m.version, wall_ms())
          .step();
      db.exec("COMMIT");
    } catch (const std::exception& e) {
      db.exec("ROLLBACK");
      throw std::runtime_error("migration " + std::to_string(m.version) + " failed: " + e.what());
    }
    version = m.version;
  }
  return schema_version(db);
}

}  // namespace omnigate::store
