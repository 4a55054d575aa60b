// Erasure of a customer on request, legal holds and retention (issue 19, check 4): what an
// erased customer said must be gone from the database file, its WAL, the search index and the
// attachments directory, while everyone else's stays and every transcript chain still verifies.
#include "store_test_env.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

using namespace omnigate::store;
using namespace omnigate::store::test;
namespace fs = std::filesystem;

namespace {

// Every file's bytes under the directory (or the one file), concatenated.
std::string bytes_under(const fs::path& path) {
  std::string out;
  const auto read = [&out](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  if (fs::is_regular_file(path)) read(path);
  if (fs::is_directory(path))
    for (const auto& entry : fs::recursive_directory_iterator(path))
      if (entry.is_regular_file()) read(entry.path());
  return out;
}

// Everything the store keeps on disk: the database, its WAL (if any), the attachment files.
std::string stored_bytes(const StoreTestEnv& env) {
  return bytes_under(env.options.path) + bytes_under(env.options.path + "-wal") +
         bytes_under(env.options.attachments_dir);
}

InboundRecord with_text(InboundRecord rec, const std::string& subject, const std::string& raw,
                        const std::string& attachment) {
  rec.subject = subject;
  rec.raw = raw;
  if (!attachment.empty())
    rec.attachments.push_back({"scan.txt", "text/plain", attachment, "", "", 0, "", ""});
  return rec;
}

Outcome<ErasureOutcome> erase(Store& store, Id customer) {
  return wait_for<ErasureOutcome>([&](Completion<ErasureOutcome> done) {
    store.erase_customer({customer, "user:admin", "request 42", 5000}, done);
  });
}

bool set_hold(Store& store, Id customer, bool hold) {
  const auto r = wait_for<bool>([&](Completion<bool> done) {
    store.set_legal_hold({customer, hold, "user:admin", "litigation 9", 1000}, done);
  });
  INFO(r.error);
  REQUIRE(r.ok);
  return r.value;
}

}  // namespace

TEST_CASE("after erasing a customer no byte of their messages remains on disk") {
  StoreTestEnv env;
  // Lower case: the search index keeps words folded, and those copies must go too.
  const std::vector<std::string> a_words{"quokkabody7731", "quokkasubject7732", "quokkaraw7733",
                                         "quokkafile7734", "quokkasecond7735"};
  const std::vector<std::string> b_words{"wombatbody8841", "wombatfile8842"};
  const auto a1 = ingest(
      *env.store, with_text(sms("+14155550100", "SMa1", "my parcel quokkabody7731"),
                            "quokkasubject7732", "raw quokkaraw7733", "attached quokkafile7734"));
  ingest(*env.store, with_text(sms("+14155550100", "SMa2", "again quokkasecond7735"), "", "", ""));
  const auto b = ingest(*env.store, with_text(sms("+14155550199", "SMb1", "hello wombatbody8841"),
                                              "", "", "attached wombatfile8842"));
  // The same file as another customer sent: B's copy must survive A's erasure.
  ingest(*env.store, with_text(sms("+14155550100", "SMa3", "shared"), "", "", "common file 1"));
  ingest(*env.store, with_text(sms("+14155550199", "SMb2", "shared"), "", "", "common file 1"));
  REQUIRE(env.store->search_transcripts("quokkabody7731", 5).size() == 1);

  const auto erased = erase(*env.store, a1.customer_id);
  INFO(erased.error);
  REQUIRE(erased.ok);
  CHECK(erased.value.conversations == std::vector<Id>{a1.conversation_id});
  CHECK(erased.value.open_conversations == std::vector<Id>{a1.conversation_id});
  CHECK(erased.value.messages == 3);
  CHECK(erased.value.attachment_files == 1);  // the shared file stays for B
  CHECK(erased.value.purged);

  CHECK(env.store->search_transcripts("quokkabody7731", 5).empty());
  CHECK(env.store->search_transcripts("wombatbody8841", 5).size() == 1);
  CHECK_FALSE(env.store->customer_by_identity("phone", "+14155550100"));
  // The chain verifies, and the shell's one entry records the erasure.
  CHECK_FALSE(env.store->verify_transcripts(std::nullopt));
  const auto shell = env.store->transcript(a1.conversation_id);
  REQUIRE(shell.size() == 1);
  REQUIRE(shell[0].event);
  CHECK(shell[0].event->kind == "transcript.erased");
  CHECK(shell[0].event->data_json.find("\"reason\":\"erasure\"") != std::string::npos);
  CHECK(env.store->get_conversation(a1.conversation_id)->status == ConversationStatus::closed);

  env.store.reset();  // closed: what is on disk is all there is
  const std::string disk = stored_bytes(env);
  for (const auto& word : a_words) {
    INFO(word);
    CHECK(disk.find(word) == std::string::npos);
  }
  CHECK(disk.find("+14155550100") == std::string::npos);
  for (const auto& word : b_words) {
    INFO(word);
    CHECK(disk.find(word) != std::string::npos);
  }
  CHECK(disk.find("common file 1") != std::string::npos);
  (void)b;
}

TEST_CASE("a customer under legal hold is not erased until the hold is lifted") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "keep me"));
  CHECK(set_hold(*env.store, a.customer_id, true));
  CHECK_FALSE(set_hold(*env.store, a.customer_id, true));  // held already
  const auto refused = erase(*env.store, a.customer_id);
  REQUIRE_FALSE(refused.ok);
  CHECK(refused.error.starts_with("conflict: "));
  CHECK(refused.error.find("legal hold") != std::string::npos);
  CHECK(env.store->transcript(a.conversation_id).size() > 1);  // untouched

  CHECK(set_hold(*env.store, a.customer_id, false));
  CHECK_FALSE(env.store->legal_hold(a.customer_id));
  CHECK(erase(*env.store, a.customer_id).ok);
  // Again: nothing left to empty, the shell keeps its one record of the first erasure.
  const auto again = erase(*env.store, a.customer_id);
  REQUIRE(again.ok);
  CHECK(again.value.conversations.empty());
  CHECK(env.store->transcript(a.conversation_id).size() == 1);

  const auto unknown = erase(*env.store, 999);
  REQUIRE_FALSE(unknown.ok);
  CHECK(unknown.error.find("does not exist") != std::string::npos);
  const auto hold_unknown = wait_for<bool>([&](Completion<bool> done) {
    env.store->set_legal_hold({999, true, "user:admin", "x", 1}, done);
  });
  CHECK_FALSE(hold_unknown.ok);
}

TEST_CASE("retention empties old resolved conversations by rule, passing legal holds by") {
  StoreTestEnv env;
  const auto old_sms = ingest(*env.store, sms("+14155550100", "SM1", "old sms koalaexpired1"));
  const auto open_sms = ingest(*env.store, sms("+14155550111", "SM2", "still open"));
  const auto held = ingest(*env.store, sms("+14155550122", "SM3", "held koalaheld2"));
  auto mail = sms("mia@example.com", "EM1", "an e-mail koalamail3");
  mail.channel_instance = "email";
  mail.channel_kind = "email";
  mail.from_kind = "email";
  mail.thread_key = "email:mia";
  const auto old_mail = ingest(*env.store, mail);
  for (const Id id : {old_sms.conversation_id, held.conversation_id, old_mail.conversation_id}) {
    const auto r = wait_for<Nothing>([&](Completion<Nothing> done) {
      env.store->set_conversation_status(id, ConversationStatus::resolved, "user:alice", done);
    });
    REQUIRE(r.ok);
  }
  REQUIRE(set_hold(*env.store, held.customer_id, true));

  const auto run = [&](UnixMs now) {
    RetentionRun r;
    r.rules = {{"sms", "", 30}, {"email", "", 365}};
    r.now = now;
    const auto out = wait_for<RetentionOutcome>(
        [&](Completion<RetentionOutcome> done) { env.store->apply_retention(r, done); });
    INFO(out.error);
    REQUIRE(out.ok);
    return out.value;
  };
  const UnixMs day = 86'400'000;
  const UnixMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  // Not old enough yet: nothing goes.
  CHECK(run(now + 29 * day).conversations.empty());
  // 31 days on: the resolved SMS conversation goes; the open one, the held one and the e-mail
  // (kept a year) stay.
  const auto first = run(now + 31 * day);
  CHECK(first.conversations == std::vector<Id>{old_sms.conversation_id});
  CHECK(first.held == 1);
  CHECK(first.messages == 1);
  CHECK(env.store->search_transcripts("koalaexpired1", 5).empty());
  CHECK(env.store->search_transcripts("koalaheld2", 5).size() == 1);
  CHECK(env.store->search_transcripts("koalamail3", 5).size() == 1);
  CHECK(env.store->transcript(open_sms.conversation_id).size() > 1);
  // The customer remains (retention removes conversations, not people).
  CHECK(env.store->customer_by_identity("phone", "+14155550100"));
  // Emptied once: a later run does not count it again.
  const auto later = run(now + 400 * day);
  CHECK(later.conversations == std::vector<Id>{old_mail.conversation_id});
  CHECK_FALSE(env.store->verify_transcripts(std::nullopt));
  const auto shell = env.store->transcript(old_sms.conversation_id);
  REQUIRE(shell.size() == 1);
  CHECK(shell[0].event->kind == "transcript.erased");
  CHECK(shell[0].event->data_json.find("\"reason\":\"retention\"") != std::string::npos);
}

TEST_CASE("an erased customer's CSAT ratings go with their conversations") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SMa1", "thanks for the help"));
  const auto b = ingest(*env.store, sms("+14155550199", "SMb1", "thanks"));
  for (const Id conversation : {a.conversation_id, b.conversation_id}) {
    REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
              env.store->set_conversation_status(conversation, ConversationStatus::resolved,
                                                 "user:ann", done);
            }).ok);
    REQUIRE(wait_for<CsatRating>([&](Completion<CsatRating> done) {
              env.store->save_csat({conversation, 2, "agent", "user:ann", 1000}, done);
            }).ok);
  }
  REQUIRE(erase(*env.store, a.customer_id).ok);
  const auto left = env.store->csat_ratings(0, std::numeric_limits<std::int64_t>::max());
  REQUIRE(left.size() == 1);
  CHECK(left[0].conversation_id == b.conversation_id);
}
