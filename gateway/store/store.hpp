// The store: everything omnigate persists, behind one interface so a PostgreSQL backend can
// follow the SQLite one (see docs/adr/0002-store.md).
//
// Writes are asynchronous and group-committed: each write is queued to the single writer,
// which runs many queued writes in one transaction (each in its own SAVEPOINT, so one failing
// write does not undo the others) and calls every completion only AFTER the COMMIT succeeded.
// That is what lets the HTTP layer acknowledge a webhook only once its data is durable.
// Completions run on the writer thread: keep them short and re-post real work elsewhere.
//
// Reads are synchronous and may be called from any thread (each thread reads through its own
// connection; WAL lets readers run beside the writer).
#pragma once

#include "store/account_records.hpp"
#include "store/complaint_records.hpp"
#include "store/contact_log_records.hpp"
#include "store/csat_records.hpp"
#include "store/customer_merge_records.hpp"
#include "store/erasure_records.hpp"
#include "store/model.hpp"
#include "store/qa_records.hpp"
#include "store/service_case_records.hpp"
#include "store/transcript_records.hpp"
#include "store/webhook_records.hpp"
#include "store/workspace_records.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::store {

// Outcome of an asynchronous write, delivered to its completion after commit (or failure).
template <class T>
struct Outcome {
  bool ok = false;
  std::string error;  // set when !ok
  T value{};
};
struct Nothing {};
template <class T>
using Completion = std::function<void(Outcome<T>)>;

class Store {
 public:
  virtual ~Store() = default;

  // ---- schema
  virtual int schema_version() = 0;  // sync
  virtual int migrate() = 0;         // sync; applies pending migrations, returns new version

  // ---- inbound (channel → store)
  // Resolve/create identity + customer, find/create/reopen the conversation by thread key,
  // insert the message (deduplicated on (channel_instance, provider_message_id)), add
  // "message.received" (+ "conversation.queued"/"conversation.reopened") events.
  virtual void ingest_message(InboundRecord rec, Completion<IngestResult> done) = 0;
  // Update the outbound message's delivery state found by (channel_instance, provider id) and
  // add a "delivery.<state>" event. Unknown provider ids: ok, value.found == false, and the
  // receipt is held and applied when outbox_mark_sent records that provider id (providers may
  // call back before the send's answer was recorded).
  virtual void ingest_delivery(DeliveryRecord rec, Completion<DeliveryResult> done) = 0;
  // A channel event (call answered, recording ready...): finds/creates the conversation like
  // ingest_message, adds the event (deduplicated on provider_event_id when given).
  virtual void ingest_channel_event(ChannelEventRecord rec, Completion<IngestResult> done) = 0;

  // ---- agent actions
  // Insert the outbound message (delivery_state "pending") and its outbox row in one
  // transaction; add "message.sent" (actor "agent:<id>"); set first_response_at if unset;
  // status → waiting_customer. With a client_key the author used before, nothing is written:
  // the earlier reply's ids come back as Kind::replayed (same request) or Kind::key_mismatch.
  virtual void enqueue_reply(ReplyRecord rec, Completion<ReplyResult> done) = 0;
  virtual void assign_conversation(Id conversation_id, std::string agent_id,
                                   std::string reason_json, Completion<Nothing> done) = 0;
  // Release the assignment and put the conversation back to "queued" (agent offline, transfer)
  // at its original place: queued_at is kept.
  virtual void requeue_conversation(Id conversation_id, std::string actor, std::string reason_json,
                                    Completion<Nothing> done) = 0;
  virtual void set_conversation_status(Id conversation_id, ConversationStatus status,
                                       std::string actor, Completion<Nothing> done) = 0;
  virtual void add_event(EventRecord ev, Completion<Id> done) = 0;
  // A channel's report (answered, abandoned, ended): the event and its status / first-response
  // change in one transaction. A closed or unknown conversation: error "open conversation ...
  // not found".
  virtual void record_channel_outcome(ChannelOutcome outcome, Completion<Nothing> done) = 0;
  // SLA deadlines computed by the routing policy (either may be unset).
  virtual void set_sla_deadlines(Id conversation_id, std::optional<UnixMs> first_response_due,
                                 std::optional<UnixMs> resolution_due,
                                 Completion<Nothing> done) = 0;
  // Routing's whole SLA clock (deadlines, ongoing pause), written whenever it changes so that a
  // restart resumes it.
  virtual void set_sla_clock(Id conversation_id, SlaClock clock, Completion<Nothing> done) = 0;
  // The conversation's home team ("" = any team), kept so routing can rebuild the restriction.
  virtual void set_conversation_team(Id conversation_id, std::string team,
                                     Completion<Nothing> done) = 0;
  // Reclassifies an open conversation (not resolved or closed) and adds
  // "conversation.priority_changed" {from, to, reason} by the actor in the same transaction.
  // Value: the priority it had before.
  virtual void set_conversation_priority(PriorityChange change, Completion<int> done) = 0;
  virtual void set_customer_tier(Id customer_id, Tier tier, std::string actor,
                                 Completion<Nothing> done) = 0;
  // Writes the fields `update` sets. When the tier or the account team/manager changes, every
  // open conversation of the customer takes the new tier and gets a "customer.tier_changed"
  // event (actor, old and new values). Unknown customer: error.
  // A changed tier is also kept in the customer's tier history (tier_changes) with its source,
  // actor and reason, whether or not the customer has open conversations.
  virtual void update_customer(CustomerUpdate update, Completion<CustomerChange> done) = 0;
  // Records a finished run of the tier recomputation. Value: the run's id.
  virtual void record_valuation_run(ValuationRun run, Completion<Id> done) = 0;

  // ---- complaints and dedicated groups (docs/service-processes.md)
  // Inserts (complaint.id == 0; the conversation must exist and not be closed) or replaces the
  // complaint and adds its events in one transaction. A new complaint also marks its
  // conversation: complaint_at is set by the first one and kept by later ones. Value: the
  // complaint's id.
  virtual void save_complaint(ComplaintWrite write, Completion<Id> done) = 0;
  virtual std::optional<StoredComplaint> get_complaint(Id id) = 0;  // sync
  // By id; status "" = every complaint. Sync read.
  virtual std::vector<StoredComplaint> list_complaints(const std::string& status) = 0;
  // Replaces the customer's whole group (audited "customer.contacts" by actor). Unknown
  // customer or role: error.
  virtual void set_customer_contacts(Id customer_id, std::vector<CustomerContact> contacts,
                                     std::string actor, Completion<Nothing> done) = 0;
  virtual std::vector<CustomerContact> customer_contacts(Id customer_id) = 0;  // sync, by role

  // ---- outbox (the sender's side)
  // Record that an attempt is starting (attempts += 1, state "sending") before the plugin is
  // called, so a crash leaves evidence. Then exactly one of sent / retry / failed; retry and
  // failed leave a row quarantined meanwhile as it is (an operator releases or drops it).
  virtual void outbox_begin_attempt(Id outbox_id, Completion<Nothing> done) = 0;
  virtual void outbox_mark_sent(Id outbox_id, std::string provider_message_id,
                                Completion<Nothing> done) = 0;
  virtual void outbox_mark_retry(Id outbox_id, UnixMs next_attempt_at, std::string error,
                                 Completion<Nothing> done) = 0;
  virtual void outbox_mark_failed(Id outbox_id, std::string error_code, std::string error_text,
                                  Completion<Nothing> done) = 0;
  // Rows due for sending (state pending/retry with next_attempt_at <= now, or "sending" left
  // over from a crash), oldest first; never "quarantined" ones (record_plugin_crash). Sync read.
  virtual std::vector<OutboxItem> due_outbox(UnixMs now, int limit) = 0;
  // The instance's sent replies still short of a final delivery state, recorded as sent in
  // [sent_after, sent_before) and with outbox id > after_id, by outbox id, at most `limit`:
  // what a channel polls its provider for when status callbacks were lost. Sync read.
  virtual std::vector<UnsettledSend> unsettled_sends(const std::string& instance, UnixMs sent_after,
                                                     UnixMs sent_before, Id after_id,
                                                     int limit) = 0;

  // ---- plugin crashes: poison-input quarantine and the crash-loop guard
  // Appends the crash to plugin_crash_log. With an input, counts it on the input's quarantine
  // row (created "suspect" on its first crash, raw kept from the first crash that had one; a
  // "released" or "dropped" row starts over as "suspect" with one crash). At quarantine_after
  // crashes a suspect row becomes "quarantined"; an outbox input's row (input_key
  // "outbox:<id>") then becomes outbox state "quarantined" in the same transaction, so
  // due_outbox never returns it again.
  virtual void record_plugin_crash(PluginCrash crash, int quarantine_after,
                                   Completion<CrashVerdict> done) = 0;
  // The instance's crashes at or after `since`. Sync read.
  virtual int plugin_crash_count(const std::string& instance, UnixMs since) = 0;
  // Newest first (by last crash). Sync reads.
  virtual std::vector<QuarantineEntry> list_quarantine(const QuarantineFilter& filter) = 0;
  virtual std::optional<QuarantineEntry> get_quarantine(Id id) = 0;
  // The instance's "quarantined" rows: the inputs the gateway refuses. Sync read.
  virtual std::vector<QuarantineEntry> quarantined_inputs(const std::string& instance) = 0;
  // "quarantined" → "released" (else error "not quarantined"), audited "quarantine.release" by
  // `actor`. An outbox input goes back to the sender at once (state "retry", due now,
  // replayed_at set); an http/ws input waits for the running gateway to replay it and call
  // mark_quarantine_replayed. Value: the row after the change.
  virtual void release_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) = 0;
  // "quarantined" or "suspect" → "dropped", audited "quarantine.drop". An outbox input's send
  // fails like outbox_mark_failed ("dropped from quarantine by <actor>").
  virtual void drop_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) = 0;
  // Released http/ws inputs not replayed yet, oldest release first. Sync read.
  virtual std::vector<QuarantineEntry> released_unreplayed() = 0;
  virtual void mark_quarantine_replayed(Id id, Completion<Nothing> done) = 0;
  // Disables or enables an instance (audited "plugin.disable" / "plugin.enable" by `actor`).
  virtual void set_plugin_instance_disabled(std::string instance, bool disabled, std::string reason,
                                            std::string actor, Completion<Nothing> done) = 0;
  // Every instance ever disabled or enabled, by name. Sync read.
  virtual std::vector<PluginInstanceState> plugin_instance_states() = 0;

  // ---- agents, users, tokens
  virtual void upsert_agent(Agent agent, Completion<Nothing> done) = 0;
  virtual void set_agent_presence(std::string agent_id, Presence presence,
                                  Completion<Nothing> done) = 0;
  virtual std::vector<Agent> list_agents() = 0;
  virtual std::optional<Agent> get_agent(const std::string& agent_id) = 0;
  // Removes the agent's profile. Refused while a user still logs in as this agent; the caller
  // re-queues the agent's open conversations first (RoutingDispatcher::agent_removed).
  virtual void delete_agent(std::string agent_id, Completion<Nothing> done) = 0;
  virtual std::vector<User> users_of_agent(const std::string& agent_id) = 0;
  // Tokens are stored as SHA-256 hex digests only. The user's roles are replaced by `user.roles`.
  virtual void upsert_user(User user, std::string token_sha256, Completion<Nothing> done) = 0;
  // The credential whose token has this digest: the user's own token, a session or an API
  // token (expired sessions too: the caller compares expires_at with its clock).
  virtual std::optional<Credential> credential_by_token(const std::string& token_sha256) = 0;
  virtual std::optional<User> get_user(const std::string& name) = 0;
  // Removes the user and every credential of theirs (revocation takes effect on the next request).
  virtual void delete_user(std::string name, Completion<Nothing> done) = 0;

  // ---- accounts (account_records.hpp)
  // Stores a session or API token (`cred.user.name`, kind, scopes, label, expires_at) under the
  // digest of its token. Value: its id.
  virtual void add_credential(Credential cred, std::string token_sha256, Completion<Id> done) = 0;
  // Sessions and API tokens of `user_name` ("" = everyone's) of `kind` ("" = both), by id.
  virtual std::vector<Credential> list_credentials(const std::string& user_name,
                                                   const std::string& kind) = 0;
  // Revokes one session or API token; error when there is none with this id.
  virtual void revoke_credential(Id id, Completion<Nothing> done) = 0;
  // The user's argon2id hash (crypto_pwhash_str format); "" when they have no password.
  virtual std::string password_hash(const std::string& user_name) = 0;
  // Sets the hash; `end_sessions` also revokes every session of the user. Error: unknown user.
  virtual void set_password_hash(std::string user_name, std::string hash, bool end_sessions,
                                 Completion<Nothing> done) = 0;
  virtual LoginFailures login_failures(const std::string& name) = 0;
  // Counts one failed login of `name` (any name: unknown ones are counted like real ones, so the
  // answers cannot tell them apart). Value: the state afterwards.
  virtual void record_login_failure(std::string name, UnixMs now, LockoutPolicy policy,
                                    Completion<LoginFailures> done) = 0;
  virtual void clear_login_failures(std::string name, Completion<Nothing> done) = 0;

  // ---- reads for the API and routing
  virtual std::optional<Conversation> get_conversation(Id id) = 0;
  virtual std::vector<Conversation> list_conversations(const ConversationFilter& filter) = 0;
  // The same conversations as list_conversations, each with what its queue row shows.
  virtual std::vector<ConversationRow> list_conversation_rows(const ConversationFilter& filter) = 0;
  // Messages and events of one conversation in the one order they were committed.
  virtual std::vector<TranscriptEntry> transcript(Id conversation_id) = 0;
  // The conversation's events whose kind starts with `kind_prefix` ("sla."), in order: what
  // routing needs on a rebuild without reading every message.
  virtual std::vector<Event> events_of_kind(Id conversation_id, std::string kind_prefix) = 0;
  virtual std::optional<Customer> get_customer(Id customer_id) = 0;
  // Up to `limit` customers with ids above `after_id`, in id order (a walk over every customer).
  virtual std::vector<Customer> customers_after(Id after_id, int limit) = 0;
  // The customer's tier changes, oldest first.
  virtual std::vector<TierChange> tier_changes(Id customer_id) = 0;
  // The newest run of the tier recomputation, if any ran.
  virtual std::optional<ValuationRun> last_valuation_run() = 0;
  // The customer one of whose identities is (kind, address), spelled as ingest stores it
  // (parse_identity), with the number of their conversations not resolved or closed.
  virtual std::optional<CustomerByIdentity> customer_by_identity(std::string_view kind,
                                                                 std::string_view address) = 0;
  // The newest conversation of `instance` with `thread_key` that is not resolved or closed
  // (a live contact a channel names by its thread key, e.g. a call's CallSid).
  virtual std::optional<Id> open_conversation_by_thread(const std::string& instance,
                                                        const std::string& thread_key) = 0;
  virtual QueueCounts queue_counts() = 0;
  // The conversations created in [from, to) through `channel_instance` ("" = every instance),
  // in id order, with their abandonment and their customer's attributes (the KPIs,
  // GET /api/v1/kpis).
  virtual std::vector<ContactRecord> contacts_created(UnixMs from, UnixMs to,
                                                      const std::string& channel_instance) = 0;

  // ---- transcripts for QA (docs/qa.md "Transcripts")
  // Conversations whose message subject or body (as stored: redacted) holds every word of
  // `words` (each taken literally, FTS5 syntax is not interpreted), best match first, at most
  // `limit`; each with its best message and a snippet of it.
  virtual std::vector<TranscriptHit> search_transcripts(const std::string& words, int limit) = 0;
  // The first altered entry of one conversation's transcript (nullopt = every one) or nullopt
  // when the chain is intact.
  virtual std::optional<ChainBreak> verify_transcripts(std::optional<Id> conversation_id) = 0;

  // ---- audit
  // Appends a row; the log has no update or delete (the database refuses them too).
  virtual void audit(AuditRecord rec, Completion<Nothing> done) = 0;
  virtual std::vector<AuditEntry> list_audit(const AuditFilter& filter) = 0;

  // ---- after-sales service cases (service_case_records.hpp)
  // Opens a case (move.case_id 0) on an open conversation in stage "received", or moves one to
  // a later stage (skipping is allowed; "closed" ends it). Each is a transcript event
  // ("case.opened" / "case.stage" {from, to, note, due_at, late}) and a row of the case's stage
  // history. Errors: unknown conversation or case, a conversation with an open case already,
  // a stage that is not later than the current one. Value: the case afterwards.
  virtual void move_service_case(CaseStageMove move, Completion<ServiceCase> done) = 0;
  // Marks the case's current stage overdue once, with "case.stage_overdue" {stage, due_at}.
  virtual void mark_case_overdue(Id case_id, UnixMs now, Completion<Nothing> done) = 0;
  virtual std::optional<ServiceCase> get_service_case(Id case_id) = 0;
  virtual std::vector<CaseStage> service_case_stages(Id case_id) = 0;
  virtual std::vector<ServiceCase> list_service_cases(const ServiceCaseFilter& filter) = 0;
  // Per stage (in the handbook's order), over the stage entries in [from, to), as of `now`.
  virtual std::vector<CaseStageFigure> case_stage_figures(UnixMs from, UnixMs to, UnixMs now) = 0;

  // ---- contact logging (contact_log_records.hpp)
  // Opens a ContactLog, due `window_ms` later, for every conversation.resolved event not seen
  // yet whose conversation had an agent; one logged since the conversation's previous end counts
  // as its log already. Value: the logs opened.
  virtual void open_contact_logs(UnixMs window_ms, Completion<std::vector<ContactLog>> done) = 0;
  // Open logs (not logged) whose reminder (at due_at - remind_before_ms) or overdue flag (at
  // due_at) is due at `now` and was not given yet.
  virtual std::vector<ContactLog> contact_logs_due(UnixMs now, UnixMs remind_before_ms) = 0;
  // Marks the reminder (overdue = false) or the overdue flag as given, with a
  // "contact_log.reminder" / "contact_log.overdue" event {agent, ended_at, due_at} in the
  // conversation's transcript.
  virtual void mark_contact_log(Id contact_log_id, bool overdue, UnixMs now,
                                Completion<Nothing> done) = 0;
  // Adds "contact.logged" {classification, note, late} to the transcript and settles the
  // conversation's open logs. Value: how many it settled (0: logged before the contact ended,
  // or again). Closed or unknown conversation: error.
  virtual void log_contact(ContactLogEntry entry, Completion<int> done) = 0;
  // Per agent, over the logs of contacts that ended in [from, to), as of `now`.
  virtual std::vector<ContactLoggingFigure> contact_logging_figures(UnixMs from, UnixMs to,
                                                                    UnixMs now) = 0;

  // ---- customer merges (customer_merge_records.hpp)
  // Moves every conversation and identity of merged_id to survivor_id, gives the survivor the
  // chosen fields, marks merged_id merged_into the survivor, and adds "customer.merged" to
  // every moved conversation and the survivor's open ones, in one transaction; what undo needs
  // is kept with the merge. Errors: unknown customer, the same customer twice, either one
  // merged already.
  virtual void merge_customers(CustomerMerge merge, Completion<MergeOutcome> done) = 0;
  // Restores exactly what the merge changed: the survivor's fields and contacts, the moved
  // conversations (with their tier) and identities back to the merged customer, which becomes
  // a live record again; "customer.merge_undone" on each moved conversation. Errors (the text
  // starts with "conflict: "): undone already, the window ended at `now`, either customer merged
  // into another since. Unknown merge: error "... does not exist".
  virtual void undo_customer_merge(Id merge_id, std::string actor, UnixMs now,
                                   Completion<MergeOutcome> done) = 0;
  virtual std::optional<CustomerMergeRecord> get_customer_merge(Id merge_id) = 0;  // sync
  // Live customers (not merged) that share a normalised phone number or e-mail address, or a
  // display name and company; each pair once per reason, at most `limit`. Sync read.
  virtual std::vector<DuplicateSuggestion> duplicate_customers(int limit) = 0;

  // ---- outbound webhooks (webhook_records.hpp, docs/api.md "Outbound webhooks")
  // How far the events were read for webhooks (0 before any event). Sync read.
  virtual Id webhook_cursor() = 0;
  // Up to `limit` events with ids above `after_id`, in id order, each with its conversation's
  // channel and customer and, for a message event, its message. Sync read.
  virtual std::vector<WebhookSourceEvent> events_after(Id after_id, int limit) = 0;
  // Inserts the deliveries (state pending, due at enqueue.now; one per subscription and event:
  // a second is ignored) and moves the cursor, in one transaction. Value: the rows inserted.
  virtual void enqueue_webhook_deliveries(WebhookEnqueue enqueue, Completion<int> done) = 0;
  // Deliveries due at `now` (pending/retry whose time has come, or "sending" left by a crash),
  // oldest first. Sync read.
  virtual std::vector<WebhookDelivery> due_webhook_deliveries(UnixMs now, int limit) = 0;
  // state → sending, attempts + 1: recorded before the request goes out.
  virtual void begin_webhook_attempt(Id delivery_id, Completion<Nothing> done) = 0;
  virtual void mark_webhook_attempt(Id delivery_id, WebhookAttemptOutcome outcome,
                                    Completion<Nothing> done) = 0;
  // Newest first. Sync reads.
  virtual std::vector<WebhookDelivery> list_webhook_deliveries(
      const WebhookDeliveryFilter& filter) = 0;
  virtual std::optional<WebhookDelivery> get_webhook_delivery(Id id) = 0;
  virtual std::vector<WebhookDeliveryCount> webhook_delivery_counts() = 0;
  // A failed delivery → pending, due at `now`, attempts counted afresh; audited
  // "webhook.retry" by `actor`. Errors: unknown delivery ("... does not exist"), not failed
  // ("conflict: ..."). Value: the delivery afterwards.
  virtual void retry_webhook_delivery(Id id, std::string actor, UnixMs now,
                                      Completion<WebhookDelivery> done) = 0;

  // ---- the agents' workspace (workspace_records.hpp)
  // Adds "note.added" {note_id, body} by "user:<author>" to the conversation's transcript.
  // Unknown conversation: error "... does not exist". Value: the note.
  virtual void add_note(Note note, Completion<Note> done) = 0;
  // The user's preferences; nullopt for an unknown user. Sync read.
  virtual std::optional<UserPreferences> user_preferences(const std::string& name) = 0;
  // Replaces both preferences. Unknown user: error "... does not exist".
  virtual void set_user_preferences(std::string name, UserPreferences preferences,
                                    Completion<Nothing> done) = 0;
  // By shortcut, then language. Sync reads.
  virtual std::vector<CannedResponse> list_canned_responses(const CannedResponseFilter& filter) = 0;
  virtual std::optional<CannedResponse> get_canned_response(Id id) = 0;
  // Inserts (response.id == 0) or replaces one. Errors: unknown id ("... does not exist"), a
  // shortcut the same language has already ("conflict: ..."). Value: the row as stored.
  virtual void save_canned_response(CannedResponse response, Completion<CannedResponse> done) = 0;
  virtual void delete_canned_response(Id id, Completion<Nothing> done) = 0;
  // In one transaction: `from` resolved (when open) with "conversation.resolved" {reason},
  // "conversation.merged_into" {into} on `from` and "conversation.merged" {from} on `into`.
  // Errors: an unknown conversation ("... does not exist"); the text starts with "conflict: "
  // for the same conversation twice, two customers, a closed survivor, or either one merged
  // into another already.
  virtual void merge_conversations(ConversationMerge merge,
                                   Completion<ConversationMergeResult> done) = 0;
  // The newest event's id (0 when there is none). Sync read.
  virtual Id last_event_id() = 0;
  // Up to `limit` events with ids above `after_id` whose kind is note.added, message.sent or
  // delivery.*, in id order, each with the outbound message it concerns. Sync read.
  virtual std::vector<ActivityEvent> activity_after(Id after_id, int limit) = 0;
  // ---- quality review (qa_records.hpp, docs/qa.md)
  // The conversations the filter selects, in id order, with the facts sampling needs. Sync.
  virtual std::vector<QaConversation> qa_conversations(const QaConversationFilter& filter) = 0;
  // Inserts the sample and its items in one transaction. Value: the sample's id.
  virtual void save_qa_sample(QaSample sample, Completion<Id> done) = 0;
  virtual std::optional<QaSample> get_qa_sample(Id id) = 0;  // sync
  // Adds the next version of scorecard.name (1 for a new name); value: the stored row.
  virtual void add_qa_scorecard(QaScorecard scorecard, Completion<QaScorecard> done) = 0;
  virtual std::vector<QaScorecard> list_qa_scorecards() = 0;  // every version, by name, version
  virtual std::optional<QaScorecard> get_qa_scorecard(Id id) = 0;
  // Inserts the review and its scores in one transaction (the conversation and scorecard must
  // exist). Value: the review's id.
  virtual void save_qa_review(QaReview review, Completion<Id> done) = 0;
  virtual std::optional<QaReview> get_qa_review(Id id) = 0;
  virtual std::vector<QaReview> list_qa_reviews(const QaReviewFilter& filter) = 0;  // by id
  // Applies the change when the review is in change.from; error "review <id> is not <from>"
  // otherwise. Value: the review afterwards.
  virtual void change_qa_review(QaReviewChange change, Completion<QaReview> done) = 0;

  // ---- CSAT (csat_records.hpp, docs/qa.md "CSAT")
  // Stores the rating of a resolved or closed conversation, replacing an earlier one, and adds
  // its "csat.received" event {rating, source}, in one transaction. Errors: "conversation N does
  // not exist", "conversation N is not resolved". (An SMS rating is stored by ingest_message.)
  virtual void save_csat(CsatRating rating, Completion<CsatRating> done) = 0;
  // The ratings of the conversations created in [from, to), by conversation id (the QA reports).
  virtual std::vector<CsatRating> csat_ratings(UnixMs from, UnixMs to) = 0;
  // ---- erasure, legal hold, retention (erasure_records.hpp, docs/operations.md)
  // Removes every trace of the customer (and of records merged into them): identities,
  // messages with their raw payloads, search index rows, events, attachments and their files,
  // contact logs, cases, complaints, QA reviews, merges and tier history; the customer record and
  // conversations stay as empty shells, each conversation's chain ending in "transcript.erased".
  // Then the freed bytes are overwritten (secure_delete, FTS5 optimize, VACUUM, WAL truncated).
  // Errors: unknown customer ("... does not exist"); the text starts with "conflict: " for a
  // customer under legal hold or merged into another.
  virtual void erase_customer(ErasureRequest request, Completion<ErasureOutcome> done) = 0;
  // Value: whether anything changed (a hold placed twice or lifted when none: false). Unknown
  // customer: error "... does not exist".
  virtual void set_legal_hold(LegalHoldChange change, Completion<bool> done) = 0;
  virtual std::optional<LegalHold> legal_hold(Id customer_id) = 0;  // sync
  // Empties what the rules select as of run.now, skipping customers under legal hold.
  virtual void apply_retention(RetentionRun run, Completion<RetentionOutcome> done) = 0;

  // ---- plugin key/value (scoped by channel instance). Sync; small values only.
  virtual std::optional<std::string> kv_get(const std::string& instance,
                                            const std::string& key) = 0;
  virtual void kv_put(std::string instance, std::string key, std::string value,
                      Completion<Nothing> done) = 0;
  virtual void kv_delete(std::string instance, std::string key, Completion<Nothing> done) = 0;

  // Wait until every write queued so far has been committed (tests, shutdown, CLI). Never call
  // it from a completion: completions run on the writer thread, which would wait for itself.
  virtual void flush() = 0;
};

struct SqliteOptions {
  std::string path;              // database file
  std::string attachments_dir;   // content-addressed attachment files (sha256 names)
  int max_batch = 256;           // writes per group commit
  bool synchronous_full = true;  // PRAGMA synchronous=FULL (the default; NORMAL only for bench)
  // [customers] default_region: how national-format numbers are read ("" = international only).
  // Stored identities are re-normalised when it differs from the region they were read with.
  std::string phone_region;
  // [redaction] patterns: masked in stored text beside card numbers and their codes (ECMAScript
  // regular expressions; docs/qa.md "Transcripts").
  std::vector<std::string> redaction_patterns;
  // [redaction] raw_key (32 bytes): seals each message's raw payload; "" = the raw payload is
  // redacted as text instead.
  std::string raw_key;
  // [csat] sms_window_minutes: an SMS that is only a digit 1–5, arriving this long at most after
  // its thread's conversation was resolved, is that conversation's rating (stored, without
  // reopening it); 0 = every such SMS reopens the conversation as any other message does.
  std::int64_t csat_sms_window_ms = 0;
};

// Opens (creating if needed) and migrates the database. Throws std::runtime_error with the
// path and SQLite's message on failure.
std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options);

}  // namespace omnigate::store
