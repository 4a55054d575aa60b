// The SQLite implementation of Store (see store.hpp for the contract and
// docs/adr/0002-store.md for why it is built this way). Internal to og_store.
#pragma once

#include "redaction/redactor.hpp"
#include "store/attachment_files.hpp"
#include "store/group_commit_writer.hpp"
#include "store/ingest_memo.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace omnigate::store {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options);
  ~SqliteStore() override;

  int schema_version() override;
  int migrate() override;

  void ingest_message(InboundRecord rec, Completion<IngestResult> done) override;
  void ingest_delivery(DeliveryRecord rec, Completion<DeliveryResult> done) override;
  void ingest_channel_event(ChannelEventRecord rec, Completion<IngestResult> done) override;

  void enqueue_reply(ReplyRecord rec, Completion<ReplyResult> done) override;
  void assign_conversation(Id conversation_id, std::string agent_id, std::string reason_json,
                           Completion<Nothing> done) override;
  void requeue_conversation(Id conversation_id, std::string actor, std::string reason_json,
                            Completion<Nothing> done) override;
  void set_conversation_status(Id conversation_id, ConversationStatus status, std::string actor,
                               Completion<Nothing> done) override;
  void add_event(EventRecord ev, Completion<Id> done) override;
  void record_channel_outcome(ChannelOutcome outcome, Completion<Nothing> done) override;
  void set_sla_deadlines(Id conversation_id, std::optional<UnixMs> first_response_due,
                         std::optional<UnixMs> resolution_due, Completion<Nothing> done) override;
  void set_sla_clock(Id conversation_id, SlaClock clock, Completion<Nothing> done) override;
  void set_conversation_team(Id conversation_id, std::string team,
                             Completion<Nothing> done) override;
  void set_conversation_priority(PriorityChange change, Completion<int> done) override;
  void set_customer_tier(Id customer_id, Tier tier, std::string actor,
                         Completion<Nothing> done) override;
  void update_customer(CustomerUpdate update, Completion<CustomerChange> done) override;

  void save_complaint(ComplaintWrite write, Completion<Id> done) override;
  std::optional<StoredComplaint> get_complaint(Id id) override;
  std::vector<StoredComplaint> list_complaints(const std::string& status) override;
  void set_customer_contacts(Id customer_id, std::vector<CustomerContact> contacts,
                             std::string actor, Completion<Nothing> done) override;
  std::vector<CustomerContact> customer_contacts(Id customer_id) override;

  void outbox_begin_attempt(Id outbox_id, Completion<Nothing> done) override;
  void outbox_mark_sent(Id outbox_id, std::string provider_message_id,
                        Completion<Nothing> done) override;
  void outbox_mark_retry(Id outbox_id, UnixMs next_attempt_at, std::string error,
                         Completion<Nothing> done) override;
  void outbox_mark_failed(Id outbox_id, std::string error_code, std::string error_text,
                          Completion<Nothing> done) override;
  std::vector<OutboxItem> due_outbox(UnixMs now, int limit) override;
  std::vector<UnsettledSend> unsettled_sends(const std::string& instance, UnixMs sent_after,
                                             UnixMs sent_before, Id after_id, int limit) override;

  void record_plugin_crash(PluginCrash crash, int quarantine_after,
                           Completion<CrashVerdict> done) override;
  int plugin_crash_count(const std::string& instance, UnixMs since) override;
  std::vector<QuarantineEntry> list_quarantine(const QuarantineFilter& filter) override;
  std::optional<QuarantineEntry> get_quarantine(Id id) override;
  std::vector<QuarantineEntry> quarantined_inputs(const std::string& instance) override;
  void release_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) override;
  void drop_quarantine(Id id, std::string actor, Completion<QuarantineEntry> done) override;
  std::vector<QuarantineEntry> released_unreplayed() override;
  void mark_quarantine_replayed(Id id, Completion<Nothing> done) override;
  void set_plugin_instance_disabled(std::string instance, bool disabled, std::string reason,
                                    std::string actor, Completion<Nothing> done) override;
  std::vector<PluginInstanceState> plugin_instance_states() override;

  void upsert_agent(Agent agent, Completion<Nothing> done) override;
  void set_agent_presence(std::string agent_id, Presence presence,
                          Completion<Nothing> done) override;
  std::vector<Agent> list_agents() override;
  std::optional<Agent> get_agent(const std::string& agent_id) override;
  void delete_agent(std::string agent_id, Completion<Nothing> done) override;
  std::vector<User> users_of_agent(const std::string& agent_id) override;
  void upsert_user(User user, std::string token_sha256, Completion<Nothing> done) override;
  std::optional<Credential> credential_by_token(const std::string& token_sha256) override;
  std::optional<User> get_user(const std::string& name) override;
  void delete_user(std::string name, Completion<Nothing> done) override;

  void add_credential(Credential cred, std::string token_sha256, Completion<Id> done) override;
  std::vector<Credential> list_credentials(const std::string& user_name,
                                           const std::string& kind) override;
  void revoke_credential(Id id, Completion<Nothing> done) override;
  std::string password_hash(const std::string& user_name) override;
  void set_password_hash(std::string user_name, std::string hash, bool end_sessions,
                         Completion<Nothing> done) override;
  LoginFailures login_failures(const std::string& name) override;
  void record_login_failure(std::string name, UnixMs now, LockoutPolicy policy,
                            Completion<LoginFailures> done) override;
  void clear_login_failures(std::string name, Completion<Nothing> done) override;
  std::vector<AuditEntry> list_audit(const AuditFilter& filter) override;

  std::optional<Conversation> get_conversation(Id id) override;
  std::vector<Conversation> list_conversations(const ConversationFilter& filter) override;
  std::vector<ConversationRow> list_conversation_rows(const ConversationFilter& filter) override;
  std::vector<TranscriptEntry> transcript(Id conversation_id) override;
  std::vector<Event> events_of_kind(Id conversation_id, std::string kind_prefix) override;
  std::vector<ContactRecord> contacts_created(UnixMs from, UnixMs to,
                                              const std::string& channel_instance) override;
  std::optional<Customer> get_customer(Id customer_id) override;
  void move_service_case(CaseStageMove move, Completion<ServiceCase> done) override;
  void mark_case_overdue(Id case_id, UnixMs now, Completion<Nothing> done) override;
  std::optional<ServiceCase> get_service_case(Id case_id) override;
  std::vector<CaseStage> service_case_stages(Id case_id) override;
  std::vector<ServiceCase> list_service_cases(const ServiceCaseFilter& filter) override;
  std::vector<CaseStageFigure> case_stage_figures(UnixMs from, UnixMs to, UnixMs now) override;
  void open_contact_logs(UnixMs window_ms, Completion<std::vector<ContactLog>> done) override;
  std::vector<ContactLog> contact_logs_due(UnixMs now, UnixMs remind_before_ms) override;
  void mark_contact_log(Id contact_log_id, bool overdue, UnixMs now,
                        Completion<Nothing> done) override;
  void log_contact(ContactLogEntry entry, Completion<int> done) override;
  std::vector<ContactLoggingFigure> contact_logging_figures(UnixMs from, UnixMs to,
                                                            UnixMs now) override;
  std::vector<Customer> customers_after(Id after_id, int limit) override;
  std::vector<TierChange> tier_changes(Id customer_id) override;
  std::optional<ValuationRun> last_valuation_run() override;
  void record_valuation_run(ValuationRun run, Completion<Id> done) override;
  std::optional<CustomerByIdentity> customer_by_identity(std::string_view kind,
                                                         std::string_view address) override;
  std::optional<Id> open_conversation_by_thread(const std::string& instance,
                                                const std::string& thread_key) override;
  QueueCounts queue_counts() override;

  void audit(AuditRecord rec, Completion<Nothing> done) override;
  std::vector<TranscriptHit> search_transcripts(const std::string& words, int limit) override;
  std::optional<ChainBreak> verify_transcripts(std::optional<Id> conversation_id) override;

  void merge_customers(CustomerMerge merge, Completion<MergeOutcome> done) override;
  void undo_customer_merge(Id merge_id, std::string actor, UnixMs now,
                           Completion<MergeOutcome> done) override;
  std::optional<CustomerMergeRecord> get_customer_merge(Id merge_id) override;
  std::vector<DuplicateSuggestion> duplicate_customers(int limit) override;

  Id webhook_cursor() override;
  std::vector<WebhookSourceEvent> events_after(Id after_id, int limit) override;
  void enqueue_webhook_deliveries(WebhookEnqueue enqueue, Completion<int> done) override;
  std::vector<WebhookDelivery> due_webhook_deliveries(UnixMs now, int limit) override;
  void begin_webhook_attempt(Id delivery_id, Completion<Nothing> done) override;
  void mark_webhook_attempt(Id delivery_id, WebhookAttemptOutcome outcome,
                            Completion<Nothing> done) override;
  std::vector<WebhookDelivery> list_webhook_deliveries(
      const WebhookDeliveryFilter& filter) override;
  std::optional<WebhookDelivery> get_webhook_delivery(Id id) override;
  std::vector<WebhookDeliveryCount> webhook_delivery_counts() override;
  void retry_webhook_delivery(Id id, std::string actor, UnixMs now,
                              Completion<WebhookDelivery> done) override;

  void add_note(Note note, Completion<Note> done) override;
  std::optional<UserPreferences> user_preferences(const std::string& name) override;
  void set_user_preferences(std::string name, UserPreferences preferences,
                            Completion<Nothing> done) override;
  std::vector<CannedResponse> list_canned_responses(const CannedResponseFilter& filter) override;
  std::optional<CannedResponse> get_canned_response(Id id) override;
  void save_canned_response(CannedResponse response, Completion<CannedResponse> done) override;
  void delete_canned_response(Id id, Completion<Nothing> done) override;
  void merge_conversations(ConversationMerge merge,
                           Completion<ConversationMergeResult> done) override;
  Id last_event_id() override;
  std::vector<ActivityEvent> activity_after(Id after_id, int limit) override;
  std::vector<QaConversation> qa_conversations(const QaConversationFilter& filter) override;
  void save_qa_sample(QaSample sample, Completion<Id> done) override;
  std::optional<QaSample> get_qa_sample(Id id) override;
  void add_qa_scorecard(QaScorecard scorecard, Completion<QaScorecard> done) override;
  std::vector<QaScorecard> list_qa_scorecards() override;
  std::optional<QaScorecard> get_qa_scorecard(Id id) override;
  void save_qa_review(QaReview review, Completion<Id> done) override;
  std::optional<QaReview> get_qa_review(Id id) override;
  std::vector<QaReview> list_qa_reviews(const QaReviewFilter& filter) override;
  void change_qa_review(QaReviewChange change, Completion<QaReview> done) override;
  void save_csat(CsatRating rating, Completion<CsatRating> done) override;
  std::vector<CsatRating> csat_ratings(UnixMs from, UnixMs to) override;

  void erase_customer(ErasureRequest request, Completion<ErasureOutcome> done) override;
  void set_legal_hold(LegalHoldChange change, Completion<bool> done) override;
  std::optional<LegalHold> legal_hold(Id customer_id) override;
  void apply_retention(RetentionRun run, Completion<RetentionOutcome> done) override;
  std::optional<std::string> kv_get(const std::string& instance, const std::string& key) override;
  void kv_put(std::string instance, std::string key, std::string value,
              Completion<Nothing> done) override;
  void kv_delete(std::string instance, std::string key, Completion<Nothing> done) override;

  void flush() override;

 private:
  // What a write may change. Only writes of inbound traffic (ingest_*) keep the IngestMemo: they
  // keep it true themselves. Any other write might resolve, close, reassign or merge.
  enum class Writes { ingest, other };

  // Queues `body` (run on the writer thread inside the batch transaction); `done` receives its
  // return value after COMMIT.
  template <class T, class F>
  void submit(F body, Completion<T> done, Writes writes = Writes::other) {
    auto result = std::make_shared<T>();
    writer_->submit({[this, body = std::move(body), result, writes](sqlite::Connection& db) {
                       if (writes != Writes::ingest) memo_.clear();
                       try {
                         *result = body(db);
                       } catch (...) {
                         memo_.clear();  // the write is rolled back, and with it what it remembered
                         throw;
                       }
                     },
                     [done = std::move(done), result](bool ok, const std::string& error) {
                       if (!done) return;
                       Outcome<T> outcome;
                       outcome.ok = ok;
                       outcome.error = error;
                       if (ok) outcome.value = std::move(*result);
                       done(std::move(outcome));
                     }});
  }

  // The calling thread's read-only connection.
  sqlite::Connection& reader();

  // ---- writer-thread helpers (sqlite_store_ingest.cpp)
  struct ThreadedConversation {
    Id id = 0;
    bool created = false;
    bool reopened = false;
    bool waiting_customer = false;  // status waiting_customer: an inbound message ends the wait
  };
  struct ThreadRequest {
    Id customer_id = 0;
    std::string channel_instance, channel_kind, thread_key, subject;
    std::string customer_address_kind, customer_address, our_address;
    const std::vector<SkillLevel>* skills = nullptr;
    int priority = 4;
    std::string actor;
    bool reopen_resolved = true;
    UnixMs now = 0;
  };
  Id resolve_customer(sqlite::Connection& db, const std::string& kind, const std::string& address,
                      const std::string& display_name, UnixMs now);
  ThreadedConversation thread_conversation(sqlite::Connection& db, const ThreadRequest& req);
  // Appends an event (its free text redacted) and chains it (transcript_chain.hpp).
  // CSAT by SMS (sqlite_store_csat.cpp): the rating a customer's message gives the resolved
  // conversation ingest would otherwise reopen — nullopt when the message is no rating (not a
  // lone digit 1–5 on SMS, no window configured, that conversation not resolved within it).
  std::optional<int> sms_csat_rating(sqlite::Connection& db, const ThreadRequest& req,
                                     const std::string& body_text);
  // Upserts the rating and adds its csat.received event.
  void record_csat(sqlite::Connection& db, const CsatRating& rating);
  Id insert_event(sqlite::Connection& db, Id conversation_id, const std::string& kind,
                  const std::string& actor, const std::string& data_json,
                  std::optional<Id> message_id, UnixMs now);
  void insert_attachments(sqlite::Connection& db, const std::vector<AttachmentRecord>& attachments,
                          std::optional<Id> message_id, std::optional<Id> event_id);
  std::vector<StoredAttachment> read_attachments(sqlite::Connection& db, Id message_id);
  static std::optional<Customer> read_customer(sqlite::Connection& db, Id customer_id);
  // Delivery receipts: applied to the outbound message they report, or held (early_receipts)
  // until the send that gives the message its provider id is recorded.
  struct StoredReceipt {
    Id message_id = 0;
    Id conversation_id = 0;
    std::string current_state;
  };
  void apply_receipt(sqlite::Connection& db, const StoredReceipt& receipt,
                     const DeliveryRecord& rec, UnixMs now);
  static void hold_early_receipt(sqlite::Connection& db, const DeliveryRecord& rec, UnixMs now);
  void apply_early_receipts(sqlite::Connection& db, Id outbox_id);
  // The failed path of an outbox row: row "failed", its message's delivery state "failed" with
  // the error, and a "delivery.failed" event. False when the row does not exist.
  bool fail_outbox_row(sqlite::Connection& db, Id outbox_id, const std::string& error_code,
                       const std::string& error_text, UnixMs now);

  // ---- erasure and retention (sqlite_store_erasure.cpp)
  // What emptying conversations removed: messages counted, attachment files that may now be
  // unused.
  struct Emptied {
    int messages = 0;
    std::vector<std::string> attachment_sha256;
  };
  // Deletes the conversation's content and everything that refers to it, leaves the row as a
  // shell (closed when it was open) and appends "transcript.erased" {reason, entries, chain_head}.
  void empty_conversation(sqlite::Connection& db, Id conversation_id, const std::string& reason,
                          const std::string& actor, UnixMs now, Emptied& emptied);
  // On the writer thread after the commit: removes the attachment files no row uses any more
  // and, when `vacuum`, rewrites the database file and truncates the WAL (`purged` says
  // whether readers let it). Value: files removed.
  int purge_freed(const std::vector<std::string>& attachment_sha256, bool vacuum, bool* purged);

  SqliteOptions options_;
  const redaction::Redactor redactor_;
  // What is stored of a message's raw payload: sealed with the raw key, else redacted.
  std::string stored_raw(const std::string& raw) const;
  AttachmentFiles files_;
  std::unique_ptr<sqlite::Connection> write_db_;
  std::mutex readers_mutex_;
  // One connection per reading thread; kept for the store's life (threads that read are the
  // executor's long-lived workers).
  std::unordered_map<std::thread::id, std::unique_ptr<sqlite::Connection>> readers_;
  // Writer thread only (or under with_exclusive).
  IngestMemo memo_;
  std::int64_t data_version_ = -1;  // PRAGMA data_version at the last batch
  std::unique_ptr<GroupCommitWriter> writer_;
};

// Wall-clock milliseconds for records that carry no time of their own.
UnixMs wall_clock_ms();

}  // namespace omnigate::store
