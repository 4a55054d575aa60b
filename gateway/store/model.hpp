// The omnigate data model as plain structs (see ../shared DESIGN.md "The model").
// No SQLite here: these are what every part of the gateway passes around.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

using Id = std::int64_t;
using UnixMs = std::int64_t;  // milliseconds since the Unix epoch, UTC

// Customer tiers, best first. Unknown customers start at C (the lowest).
enum class Tier { S, A, B, C };
const char* to_string(Tier t);
std::optional<Tier> tier_from_string(std::string_view s);

enum class ConversationStatus { queued, assigned, waiting_customer, resolved, closed };
const char* to_string(ConversationStatus s);
std::optional<ConversationStatus> status_from_string(std::string_view s);

enum class Presence { online, busy, away, offline };
const char* to_string(Presence p);
std::optional<Presence> presence_from_string(std::string_view s);

enum class Role { agent, supervisor, qa, admin };
const char* to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);

struct SkillLevel {
  std::string skill;
  int level = 1;  // 1..5
};

struct AttachmentRecord {
  std::string filename;  // metadata only: never a path
  std::string content_type;
  std::string data;  // bytes to store (content-addressed by sha256)
  std::string url;   // remote location when not fetched
  // Bytes already in the attachment store (a plugin's streamed blob, or a stored outbound
  // attachment): their lower-case sha256 hex, used instead of `data`, and their size.
  std::string blob_sha256;
  std::int64_t size = 0;
  std::string content_id;   // MIME Content-ID without <> ("" = none)
  std::string disposition;  // "attachment" | "inline" ("" = attachment)
};

struct StoredAttachment {
  Id id = 0;
  std::string filename, content_type, sha256, url;
  std::int64_t size = 0;
  std::string content_id, disposition;
};

struct InboundRecord {
  std::string channel_instance;  // e.g. "sms"
  std::string channel_kind;      // e.g. "sms"
  std::string provider_message_id;
  std::string from_kind;  // "phone" | "email" | "webchat" | ...
  // The store parses it (identity.hpp): E.164 phones, Twilio's whatsapp:/rcs:/messenger: kinds,
  // lower-case e-mail, else an "unverified" identity and a flagged message.
  std::string from_address;
  // The region a national-format number is read in ("" = the store's default region).
  std::string phone_region;
  std::string from_name;
  std::string to_address;
  std::string thread_key;
  std::string subject, body_text, body_html, raw, metadata_json;
  bool malformed = false;
  std::vector<AttachmentRecord> attachments;
  std::vector<SkillLevel> skills;
  int priority = 0;          // 1..4, 0 = default from policy
  int default_priority = 4;  // used when priority == 0 and the conversation is new
  UnixMs received_at = 0;
  UnixMs sent_at = 0;
};

struct IngestResult {
  Id customer_id = 0;
  Id conversation_id = 0;
  Id message_id = 0;       // or event id for channel events
  bool duplicate = false;  // already stored: nothing changed
  bool new_conversation = false;
  bool reopened = false;
};

struct DeliveryRecord {
  std::string channel_instance;
  std::string provider_message_id;
  std::string state;  // "queued" | "sent" | "delivered" | "read" | "undelivered" | "failed"
  std::string error_code, error_text, raw;
  UnixMs at = 0;
};
struct DeliveryResult {
  bool found = false;
  Id message_id = 0;
  Id conversation_id = 0;
};

struct ChannelEventRecord {
  std::string channel_instance, channel_kind;
  std::string provider_event_id, kind, from_kind, from_address, to_address, thread_key, data_json;
  std::string phone_region;  // as InboundRecord::phone_region
  std::vector<AttachmentRecord> attachments;
  UnixMs at = 0;
};

struct ReplyRecord {
  Id conversation_id = 0;
  std::string agent_id;
  std::string body_text, body_html, subject;
  std::vector<AttachmentRecord> attachments;
  UnixMs at = 0;
  // The client's Idempotency-Key ("" = none), kept in messages.client_key: the same author
  // sending the same key again gets the first reply back instead of a second one.
  std::string client_key;
};
struct ReplyResult {
  Id message_id = 0;
  Id outbox_id = 0;
  // stored: a new reply and outbox row. replayed: the author's earlier reply with the same
  // client_key and the same request; nothing was written. key_mismatch: that key already names
  // a different reply (ids are that reply's); nothing was written.
  enum class Kind { stored, replayed, key_mismatch };
  Kind kind = Kind::stored;
};

struct EventRecord {
  Id conversation_id = 0;
  std::string kind;       // dotted: "conversation.assigned", "sla.warning", ...
  std::string actor;      // "system", "agent:alice", "plugin:sms", ...
  std::string data_json;  // JSON object
  UnixMs at = 0;
};

// Who decided a customer's tier: tier rules may change a tier they or nobody set, but never
// lower one a person set (docs/routing.md "Tier rules").
// Who set a customer's tier: nobody yet, a tier rule, the value-based recomputation
// (customer_valuation.hpp), or a person (always wins over the other two).
enum class TierSource { initial, rule, manual, valuation };
const char* to_string(TierSource s);
std::optional<TierSource> tier_source_from_string(std::string_view s);

struct Customer {
  Id id = 0;
  std::string display_name;
  Tier tier = Tier::C;
  TierSource tier_source = TierSource::initial;
  std::string attributes_json;
  std::string account_team;     // dedicated group (routing: A/S tiers go there first); "" = none
  std::string account_manager;  // agent id of the named manager; "" = none
  std::vector<std::pair<std::string, std::string>> identities;  // (kind, address)
  Id merged_into = 0;  // the survivor this record was merged into (0 = a live record)
};

// Store::customer_by_identity: the customer and how many of their conversations are open.
struct CustomerByIdentity {
  Customer customer;
  int open_conversations = 0;  // not resolved or closed
};

// A change to a customer's profile: only the fields set are written.
struct CustomerUpdate {
  Id customer_id = 0;
  std::optional<std::string> display_name;
  std::optional<Tier> tier;
  TierSource tier_source = TierSource::manual;  // recorded with a changed tier
  std::optional<std::string> account_team, account_manager;
  std::optional<std::string> attributes_json;  // a JSON object, replaces the old one
  std::string actor;                           // "user:sue", "rule", "cli", "valuation"
  // Why the tier changes (a JSON object, e.g. the valuation's score and factors; "" = none):
  // kept with the change in the customer's tier history and its conversations' events.
  std::string reason_json;
};

// One change of a customer's tier, as kept in its history (Store::tier_changes).
struct TierChange {
  Id customer_id = 0;
  Tier old_tier = Tier::C, new_tier = Tier::C;
  TierSource source = TierSource::initial;
  std::string actor;
  std::string reason_json;  // "{}" when the change gave none
  UnixMs at = 0;
};

// One run of the value-based tier recomputation (Store::record_valuation_run).
struct ValuationRun {
  UnixMs started_at = 0, finished_at = 0;
  std::string trigger;  // "schedule", "api", "cli"
  std::string actor;    // "valuation" for the schedule, else the person
  int valued = 0;       // customers valued
  int changed = 0;      // whose tier changed
  int kept_manual = 0;  // whose computed tier differed from one a person set (kept)
};
// What update_customer did: the profile before and after, and the customer's open
// conversations whose tier/account it changed (each got a "customer.tier_changed" event).
struct CustomerChange {
  Customer before, after;
  std::vector<Id> open_conversations;
};

struct Conversation {
  Id id = 0;
  Id customer_id = 0;
  Tier tier = Tier::C;
  std::string channel_instance, channel_kind, thread_key, subject;
  std::string customer_address;  // the customer's identity on this channel
  std::string our_address;       // our address they wrote to
  ConversationStatus status = ConversationStatus::queued;
  int priority = 4;
  std::vector<SkillLevel> skills;
  std::optional<std::string> assigned_agent;
  std::optional<std::string> previous_agent;  // last agent who handled this customer
  std::string team;  // home team, set by a transfer to a team ("" = any team may take it)
  UnixMs created_at = 0, updated_at = 0, queued_at = 0;
  std::optional<UnixMs> first_response_at;
  std::optional<UnixMs> first_response_due, resolution_due;
  Id last_inbound_message_id = 0;
  // When the first complaint about it was filed (unset = not a complaint); the complaint's
  // ladder itself is in the complaints table (docs/service-processes.md).
  std::optional<UnixMs> complaint_at;
  // Routing's SLA clock (SlaClock): the hard resolution limit, the start of an ongoing pause, and
  // whether the stored deadlines carry earlier pauses' shifts.
  std::optional<UnixMs> resolution_max_due;
  std::optional<UnixMs> sla_paused_since;
  bool sla_deadlines_shifted = false;
};

// Routing's SLA clock of an open conversation, kept so that a restart resumes it: the deadlines
// as pauses on the customer shifted them, and the start of an ongoing pause.
struct SlaClock {
  UnixMs first_response_due = 0, resolution_due = 0, resolution_max_due = 0;
  std::optional<UnixMs> paused_since;  // unset: the clock runs
  bool deadlines_shifted = false;      // true: a rebuild uses the deadlines as they are
};

// What a live channel reported about one of its conversations (store::ChannelAction), stored in
// one transaction: the event, and with it the new status (unset = unchanged) and, for a contact
// answered, the first response (set only if unset, at the event's time).
struct ChannelOutcome {
  EventRecord event;
  std::optional<ConversationStatus> status;
  bool first_response = false;
};

// A conversation as the contact-centre KPIs count it: the conversation, and the data of its first
// "conversation.abandoned" event (unset = not abandoned).
struct ContactRecord {
  Conversation conversation;
  std::optional<std::string> abandoned_json;
  std::string customer_attributes_json = "{}";  // the customer's attributes now (KPI grouping)
};

// A supervisor's or agent's new priority for a conversation, and why.
struct PriorityChange {
  Id conversation_id = 0;
  int priority = 4;  // 1..4
  std::string reason;
  std::string actor;  // "user:sue"
  UnixMs at = 0;
};

struct ConversationFilter {
  std::optional<std::string> assigned_agent;
  std::optional<ConversationStatus> status;
  std::optional<std::string> channel_instance;
  std::optional<Id> customer_id;
  std::optional<Tier> tier;
  std::optional<int> priority;      // 1..4
  std::optional<std::string> team;  // the team it was transferred to
  // Case-insensitive (ASCII) substring of the subject, the customer's address or display name;
  // "" = any.
  std::string text;
  Id after_id = 0;
  int limit = 100;
};

// A conversation as a queue row shows it (GET /conversations?view=row): with its customer's
// display name and the start of its latest message, read in the same statement.
struct ConversationRow {
  Conversation conversation;
  std::string customer_display_name;  // "" = the customer has none
  std::string last_message_preview;   // the latest message's first kPreviewChars characters
  static constexpr int kPreviewChars = 140;
};

struct Message {
  Id id = 0;
  Id conversation_id = 0;
  std::string direction;    // "in" | "out"
  std::string author_kind;  // "customer" | "agent" | "system" | "bot"
  std::string author_id;
  std::string body_text, body_html, subject;
  std::string provider_message_id;
  std::string delivery_state;  // outbound: pending/sending/sent/delivered/... ; inbound: ""
  std::string error_code, error_text;
  bool malformed = false;
  std::string metadata_json;  // what the channel kept beside the message (a JSON object or "")
  UnixMs created_at = 0;
  std::vector<StoredAttachment> attachments;
};

struct Event {
  Id id = 0;
  Id conversation_id = 0;
  std::string kind, actor, data_json;
  UnixMs created_at = 0;
};

// One line of a transcript: a message or an event, in commit order (`seq`).
struct TranscriptEntry {
  Id seq = 0;
  std::optional<Message> message;
  std::optional<Event> event;
};

struct Agent {
  std::string id;  // login name, e.g. "alice"
  std::string display_name;
  std::string team;
  std::vector<SkillLevel> skills;
  std::vector<Tier> tiers;              // tiers served (empty = all)
  std::map<std::string, int> capacity;  // per channel kind, e.g. {"sms": 5, "voice": 1}
  Presence presence = Presence::offline;
  UnixMs presence_since = 0;
  // How to reach the agent outside the consoles, as a JSON object of strings, e.g.
  // {"phone":"+441632960001","sip":"sip:ana@pbx.example"}: what a channel needs to hand a
  // customer over (a voice plugin dialling the agent). "{}" = none.
  std::string contact_json = "{}";
};

struct User {
  std::string name;
  std::vector<Role> roles{Role::agent};  // in Role order, each once (normalised_roles)
  std::optional<std::string> agent_id;   // set for role agent (and supervisors who take work)

  bool has_role(Role r) const;
  // Holds agent but neither supervisor nor admin: works on, and sees, only the conversations
  // assigned to them (QA's reading rights do not widen what an agent's own work is).
  bool limited_to_own_work() const;
};

// `roles` in Role order with duplicates removed.
std::vector<Role> normalised_roles(std::vector<Role> roles);
// "agent or supervisor": the roles as the API and CLI name them.
std::string roles_text(const std::vector<Role>& roles, const char* separator);

// Outbound attachments up to this size come with their bytes; larger ones by reference only.
inline constexpr std::int64_t kInlineOutboundAttachmentBytes = 256 * 1024;

struct OutboxItem {
  Id id = 0;
  Id message_id = 0;
  Id conversation_id = 0;
  std::string channel_instance;
  std::string idempotency_key;
  std::string to_kind, to_address, from_address, thread_key, subject, body_text, body_html;
  std::string in_reply_to, author_name;
  // blob_sha256 and size set for stored bytes; data loaded only for small ones (at most
  // kInlineOutboundAttachmentBytes) — a channel reads larger ones in chunks (blob_read).
  std::vector<AttachmentRecord> attachments;
  int attempts = 0;
  std::string state;  // pending | sending | retry
  UnixMs next_attempt_at = 0;
  UnixMs created_at = 0;  // when the reply was enqueued: no provider can have it earlier
  // Rows with attempts > 0 only: provider ids recorded for the conversation's other replies
  // since shortly before this one was enqueued — what a lookup must not mistake for this one.
  std::vector<std::string> taken_provider_ids;
};

// A reply the provider accepted whose delivery state is not final yet (queued or sent).
struct UnsettledSend {
  Id outbox_id = 0;
  std::string provider_message_id;
  std::string delivery_state;  // "queued" | "sent"
  UnixMs sent_at = 0;          // when outbox_mark_sent recorded the provider's acceptance
};

struct QueueCounts {
  std::map<std::string, std::int64_t> by_status;        // conversation status → count
  std::map<std::string, std::int64_t> outbox_by_state;  // outbox state → count
};

struct AuditRecord {
  std::string actor;   // user name or "system"
  std::string action;  // "transcript.read", "conversation.reply", ...
  std::string object;  // "conversation:42"
  std::string remote_addr;
  std::string detail_json;
  UnixMs at = 0;
};

// ---- plugin crashes (docs/operations.md "Quarantine and disabled instances")

// One crash of a plugin instance, and the input that was in the plugin when it happened.
struct PluginCrash {
  std::string instance;
  std::string mode;    // "process" | "in_process"
  std::string reason;  // "signal 11", "exit 3", "watchdog", ...
  // "http" | "ws" | "outbox", and the input's key (http/ws: a sha256 hex; outbox:
  // "outbox:<id>"); both empty when no input was in the plugin.
  std::string input_kind, input_key;
  std::string raw;  // the input as captured (a JSON text); kept from the first crash on it
  UnixMs at = 0;    // 0 = now
};

// What record_plugin_crash made of the crash's input.
struct CrashVerdict {
  int input_crashes = 0;           // crashes counted on the input (0: no input)
  bool quarantined = false;        // the input is quarantined now: never offer it again
  Id quarantine_id = 0;            // its quarantine row (0: no input)
  bool newly_quarantined = false;  // this crash is the one that quarantined it
};

// A quarantine row: an input that crashed its plugin, by (instance, input_kind, input_key).
// status: "suspect" (crashed fewer than quarantine_after times), "quarantined" (refused until an
// operator acts), "released" (to be offered again), "dropped" (given up by an operator).
struct QuarantineEntry {
  Id id = 0;
  std::string instance, input_kind, input_key, status;
  int crashes = 0;
  UnixMs first_crash_at = 0, last_crash_at = 0;
  std::string last_reason;
  std::string raw;  // bytes as captured: not necessarily UTF-8
  std::optional<UnixMs> quarantined_at, released_at, replayed_at, dropped_at;
  std::string released_by, dropped_by;  // "" when not released / dropped
};

struct QuarantineFilter {
  std::optional<std::string> instance;
  std::optional<std::string> status;
  int limit = 100;
};

// An instance the crash-loop guard or an operator disabled (or enabled again).
struct PluginInstanceState {
  std::string instance;
  bool disabled = false;
  std::string reason;
  UnixMs changed_at = 0;
  std::string changed_by;  // "system", "cli:<user>", "user:<name>"
};

}  // namespace omnigate::store
