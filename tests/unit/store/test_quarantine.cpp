// What a crashing plugin leaves in the store: crashes counted per input until the input is
// quarantined, an outbox row that keeps crashing its plugin held away from the sender, an
// operator's release and drop, the crash-loop guard's window and disabled instances.
#include "store_test_env.hpp"

#include <chrono>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

PluginCrash crash_on(const std::string& kind, const std::string& key, const std::string& raw = "",
                     UnixMs at = 0) {
  PluginCrash c;
  c.instance = "sms";
  c.mode = "in_process";
  c.reason = "signal 11";
  c.input_kind = kind;
  c.input_key = key;
  c.raw = raw;
  c.at = at;
  return c;
}

CrashVerdict record(Store& store, PluginCrash crash, int quarantine_after = 3) {
  auto outcome = wait_for<CrashVerdict>([&](Completion<CrashVerdict> done) {
    store.record_plugin_crash(crash, quarantine_after, done);
  });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  return outcome.value;
}

Outcome<QuarantineEntry> release(Store& store, Id id, const std::string& actor = "cli:ops") {
  return wait_for<QuarantineEntry>(
      [&](Completion<QuarantineEntry> done) { store.release_quarantine(id, actor, done); });
}

Outcome<QuarantineEntry> drop(Store& store, Id id, const std::string& actor = "cli:ops") {
  return wait_for<QuarantineEntry>(
      [&](Completion<QuarantineEntry> done) { store.drop_quarantine(id, actor, done); });
}

// A customer's message and an agent's reply to it: the reply's outbox row.
struct Replied {
  IngestResult inbound;
  ReplyResult reply;
};

Replied reply_to_customer(Store& store) {
  Replied out;
  out.inbound = ingest(store, sms("+15551234567", "SM-in", "hi"));
  ReplyRecord reply;
  reply.conversation_id = out.inbound.conversation_id;
  reply.agent_id = "alice";
  reply.body_text = "hello back";
  auto outcome = wait_for<ReplyResult>(
      [&](Completion<ReplyResult> done) { store.enqueue_reply(reply, done); });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  out.reply = outcome.value;
  return out;
}

void run(const std::function<void(Completion<Nothing>)>& start) {
  auto outcome = wait_for<Nothing>(start);
  INFO(outcome.error);
  REQUIRE(outcome.ok);
}

std::string outbox_state(const StoreTestEnv& env, Id outbox_id) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(env.options.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT state FROM outbox WHERE id = " + std::to_string(outbox_id);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string state = "<missing>";
  if (sqlite3_step(stmt) == SQLITE_ROW)
    state = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return state;
}

const Message* reply_message(const std::vector<TranscriptEntry>& transcript, Id message_id) {
  for (const auto& e : transcript)
    if (e.message && e.message->id == message_id) return &*e.message;
  return nullptr;
}

constexpr UnixMs kFarFuture = 1LL << 50;

UnixMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("an input is quarantined after quarantine_after crashes on it, raw kept from the first") {
  StoreTestEnv env;
  const std::string key(64, 'a');
  auto first = record(*env.store, crash_on("http", key, R"({"body_base64":"aGk="})", 1000));
  CHECK(first.input_crashes == 1);
  CHECK_FALSE(first.quarantined);
  REQUIRE(first.quarantine_id != 0);
  auto second = record(*env.store, crash_on("http", key, R"({"other":1})", 2000));
  CHECK(second.input_crashes == 2);
  CHECK_FALSE(second.quarantined);
  CHECK(second.quarantine_id == first.quarantine_id);
  CHECK(env.store->quarantined_inputs("sms").empty());

  auto third = record(*env.store, crash_on("http", key, "", 3000));
  CHECK(third.input_crashes == 3);
  CHECK(third.quarantined);
  CHECK(third.newly_quarantined);

  const auto entry = env.store->get_quarantine(first.quarantine_id);
  REQUIRE(entry);
  CHECK(entry->status == "quarantined");
  CHECK(entry->instance == "sms");
  CHECK(entry->input_kind == "http");
  CHECK(entry->input_key == key);
  CHECK(entry->crashes == 3);
  CHECK(entry->first_crash_at == 1000);
  CHECK(entry->last_crash_at == 3000);
  CHECK(entry->quarantined_at == std::optional<UnixMs>(3000));
  CHECK(entry->last_reason == "signal 11");
  CHECK(entry->raw == R"({"body_base64":"aGk="})");
  CHECK_FALSE(entry->released_at);
  const auto refused = env.store->quarantined_inputs("sms");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].input_key == key);
  CHECK(env.store->quarantined_inputs("email").empty());

  // Another crash on it while quarantined (a race) keeps it quarantined, not newly.
  auto fourth = record(*env.store, crash_on("http", key, "", 4000));
  CHECK(fourth.quarantined);
  CHECK_FALSE(fourth.newly_quarantined);
}

TEST_CASE("a crash without an input is logged but quarantines nothing") {
  StoreTestEnv env;
  const auto verdict = record(*env.store, crash_on("", "", "", 1000), 1);
  CHECK(verdict.quarantine_id == 0);
  CHECK(verdict.input_crashes == 0);
  CHECK_FALSE(verdict.quarantined);
  CHECK(env.store->list_quarantine({}).empty());
  CHECK(env.store->plugin_crash_count("sms", 0) == 1);
}

TEST_CASE("bytes that are not UTF-8 are kept as captured") {
  StoreTestEnv env;
  const std::string raw("\xFF\x00\xFEok", 5);
  const auto v = record(*env.store, crash_on("ws", "k1", raw), 1);
  CHECK(env.store->get_quarantine(v.quarantine_id)->raw == raw);
}

TEST_CASE("release: an http input waits to be replayed, and crashing again starts over") {
  StoreTestEnv env;
  const auto v = record(*env.store, crash_on("http", "k1", "{}"), 2);
  // Only a quarantined input can be released.
  auto early = release(*env.store, v.quarantine_id);
  CHECK_FALSE(early.ok);
  CHECK_THAT(early.error, Catch::Contains("not quarantined"));
  CHECK_FALSE(release(*env.store, 4242).ok);

  record(*env.store, crash_on("http", "k1", "{}"), 2);
  auto released = release(*env.store, v.quarantine_id, "user:ada");
  INFO(released.error);
  REQUIRE(released.ok);
  CHECK(released.value.status == "released");
  CHECK(released.value.released_by == "user:ada");
  CHECK(released.value.released_at);
  CHECK_FALSE(released.value.replayed_at);
  CHECK(env.store->quarantined_inputs("sms").empty());
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM audit WHERE action = 'quarantine.release' AND actor = "
                   "'user:ada' AND object = 'quarantine:" +
                       std::to_string(v.quarantine_id) + "'") == 1);
  CHECK_FALSE(release(*env.store, v.quarantine_id).ok);  // released already

  auto waiting = env.store->released_unreplayed();
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].id == v.quarantine_id);
  run([&](auto done) { env.store->mark_quarantine_replayed(v.quarantine_id, done); });
  CHECK(env.store->released_unreplayed().empty());
  CHECK(env.store->get_quarantine(v.quarantine_id)->replayed_at);

  // Release reset the count: it takes quarantine_after crashes again.
  auto again = record(*env.store, crash_on("http", "k1", "{}"), 2);
  CHECK(again.quarantine_id == v.quarantine_id);
  CHECK(again.input_crashes == 1);
  CHECK_FALSE(again.quarantined);
  const auto entry = env.store->get_quarantine(v.quarantine_id);
  CHECK(entry->status == "suspect");
  CHECK_FALSE(entry->replayed_at);
  CHECK(record(*env.store, crash_on("http", "k1", "{}"), 2).quarantined);
}

TEST_CASE("a released input whose replay crashes is no longer waiting to be replayed") {
  StoreTestEnv env;
  const auto v = record(*env.store, crash_on("ws", "frame", "{}"), 1);
  REQUIRE(release(*env.store, v.quarantine_id).ok);
  REQUIRE(env.store->released_unreplayed().size() == 1);
  record(*env.store, crash_on("ws", "frame", "{}"), 3);
  CHECK(env.store->released_unreplayed().empty());
  auto replayed = wait_for<Nothing>(
      [&](auto done) { env.store->mark_quarantine_replayed(v.quarantine_id, done); });
  CHECK_FALSE(replayed.ok);
}

TEST_CASE("an outbox row that keeps crashing its plugin is quarantined, not due, until released") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  const Id id = r.reply.outbox_id;
  const std::string key = "outbox:" + std::to_string(id);
  // Each crash happened inside a send the sender had begun.
  run([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  CHECK_FALSE(record(*env.store, crash_on("outbox", key, "{}"), 2).quarantined);
  CHECK(env.store->due_outbox(kFarFuture, 10).size() == 1);  // left "sending": retried
  run([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  const auto v = record(*env.store, crash_on("outbox", key, "{}"), 2);
  CHECK(v.quarantined);
  CHECK(outbox_state(env, id) == "quarantined");
  CHECK(env.store->due_outbox(kFarFuture, 10).empty());
  CHECK(env.store->queue_counts().outbox_by_state.at("quarantined") == 1);

  // The sender's own outcome for the crashed attempt arriving afterwards changes nothing.
  run([&](auto done) { env.store->outbox_mark_retry(id, 0, "plugin crashed", done); });
  run([&](auto done) { env.store->outbox_mark_failed(id, "max_attempts", "gave up", done); });
  CHECK(outbox_state(env, id) == "quarantined");
  CHECK(env.store->due_outbox(kFarFuture, 10).empty());
  CHECK_FALSE(wait_for<Nothing>([&](auto done) { env.store->outbox_begin_attempt(id, done); }).ok);

  auto released = release(*env.store, v.quarantine_id);
  INFO(released.error);
  REQUIRE(released.ok);
  CHECK(released.value.replayed_at);  // the sender redelivers it: nothing left to replay
  CHECK(env.store->released_unreplayed().empty());
  const auto due = env.store->due_outbox(now_ms(), 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == id);
  CHECK(due[0].state == "retry");
  // A fresh set of attempts, still marked as possibly delivered (the channel is asked first).
  CHECK(due[0].attempts == 1);
}

TEST_CASE("dropping an outbox input fails its send, visibly and audited") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  const Id id = r.reply.outbox_id;
  run([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  const auto v = record(*env.store, crash_on("outbox", "outbox:" + std::to_string(id), "{}"), 1);
  REQUIRE(v.quarantined);
  auto dropped = drop(*env.store, v.quarantine_id, "cli:ops");
  INFO(dropped.error);
  REQUIRE(dropped.ok);
  CHECK(dropped.value.status == "dropped");
  CHECK(dropped.value.dropped_by == "cli:ops");
  CHECK(dropped.value.dropped_at);
  CHECK(outbox_state(env, id) == "failed");
  CHECK(env.store->due_outbox(kFarFuture, 10).empty());
  const auto transcript = env.store->transcript(r.inbound.conversation_id);
  const Message* m = reply_message(transcript, r.reply.message_id);
  REQUIRE(m);
  CHECK(m->delivery_state == "failed");
  CHECK(m->error_text == "dropped from quarantine by cli:ops");
  CHECK(transcript.back().event->kind == "delivery.failed");
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM audit WHERE action = 'quarantine.drop' AND actor = "
                   "'cli:ops' AND object = 'quarantine:" +
                       std::to_string(v.quarantine_id) + "'") == 1);
  CHECK_FALSE(drop(*env.store, v.quarantine_id).ok);     // dropped already
  CHECK_FALSE(release(*env.store, v.quarantine_id).ok);  // and not to be released
}

TEST_CASE("a suspect input can be dropped but a released one cannot") {
  StoreTestEnv env;
  const auto suspect = record(*env.store, crash_on("http", "s", "{}"), 3);
  CHECK(drop(*env.store, suspect.quarantine_id).ok);
  const auto q = record(*env.store, crash_on("http", "q", "{}"), 1);
  REQUIRE(release(*env.store, q.quarantine_id).ok);
  auto refused = drop(*env.store, q.quarantine_id);
  CHECK_FALSE(refused.ok);
  CHECK_THAT(refused.error, Catch::Contains("released"));
  CHECK_FALSE(drop(*env.store, 4242).ok);
}

TEST_CASE("the quarantine list is newest first, filtered by instance and status") {
  StoreTestEnv env;
  record(*env.store, crash_on("http", "old", "{}", 1000), 1);
  record(*env.store, crash_on("http", "new", "{}", 5000), 2);
  auto email = crash_on("ws", "mail", "{}", 3000);
  email.instance = "email";
  record(*env.store, email, 1);

  const auto all = env.store->list_quarantine({});
  REQUIRE(all.size() == 3);
  CHECK(all[0].input_key == "new");
  CHECK(all[1].input_key == "mail");
  CHECK(all[2].input_key == "old");
  QuarantineFilter sms_only;
  sms_only.instance = "sms";
  CHECK(env.store->list_quarantine(sms_only).size() == 2);
  QuarantineFilter quarantined;
  quarantined.status = "quarantined";
  CHECK(env.store->list_quarantine(quarantined).size() == 2);
  quarantined.instance = "sms";
  const auto one = env.store->list_quarantine(quarantined);
  REQUIRE(one.size() == 1);
  CHECK(one[0].input_key == "old");
  QuarantineFilter first;
  first.limit = 1;
  CHECK(env.store->list_quarantine(first).size() == 1);
}

TEST_CASE("crashes are counted per instance within the guard's window") {
  StoreTestEnv env;
  for (const UnixMs at : {1000, 2000, 3000}) record(*env.store, crash_on("", "", "", at));
  auto other = crash_on("", "", "", 2500);
  other.instance = "email";
  record(*env.store, other);
  CHECK(env.store->plugin_crash_count("sms", 0) == 3);
  CHECK(env.store->plugin_crash_count("sms", 2000) == 2);
  CHECK(env.store->plugin_crash_count("sms", 3001) == 0);
  CHECK(env.store->plugin_crash_count("email", 0) == 1);
  CHECK(env.store->plugin_crash_count("webchat", 0) == 0);
}

TEST_CASE("an instance is disabled and enabled again, both audited") {
  StoreTestEnv env;
  CHECK(env.store->plugin_instance_states().empty());
  run([&](auto done) {
    env.store->set_plugin_instance_disabled("sms", true, "5 crashes in 60 s", "system", done);
  });
  auto states = env.store->plugin_instance_states();
  REQUIRE(states.size() == 1);
  CHECK(states[0].instance == "sms");
  CHECK(states[0].disabled);
  CHECK(states[0].reason == "5 crashes in 60 s");
  CHECK(states[0].changed_by == "system");
  CHECK(states[0].changed_at > 0);

  run([&](auto done) {
    env.store->set_plugin_instance_disabled("sms", false, "enabled by cli:ops", "cli:ops", done);
  });
  states = env.store->plugin_instance_states();
  REQUIRE(states.size() == 1);
  CHECK_FALSE(states[0].disabled);
  CHECK(states[0].changed_by == "cli:ops");
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM audit WHERE action = 'plugin.disable' "
                   "AND actor = 'system' AND object = 'plugin:sms'") == 1);
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM audit WHERE action = 'plugin.enable' "
                   "AND actor = 'cli:ops' AND object = 'plugin:sms'") == 1);
}

TEST_CASE("a malformed outbox input key is refused") {
  StoreTestEnv env;
  auto outcome = wait_for<CrashVerdict>([&](Completion<CrashVerdict> done) {
    env.store->record_plugin_crash(crash_on("outbox", "outbox:x"), 1, done);
  });
  CHECK_FALSE(outcome.ok);
  CHECK_THAT(outcome.error, Catch::Contains("outbox:<id>"));
}
