// OutboxSender against a real SQLite store and a scripted ChannelSender (the real plugin path
// is tested with the plugin host): what reaches the channel, and what the transcript records.
#include "outbox/outbox_sender.hpp"

#include "core/asio_executor.hpp"
#include "store_fixture.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <set>

using namespace omnigate;
using omnigate::testing::committed;
using omnigate::testing::customer_writes;
using omnigate::testing::eventually;

namespace {

// Answers each send with the next scripted outcome (the last one repeats), or holds the
// completion until release() when `hold` is set.
class ScriptedChannel : public ChannelSender {
 public:
  explicit ScriptedChannel(std::deque<SendOutcome> script) : script_(std::move(script)) {}
  void send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) override {
    std::unique_lock lock(mu_);
    calls_.push_back(item);
    if (hold_) {
      held_.push_back(std::move(done));
      return;
    }
    SendOutcome outcome = script_.front();
    if (script_.size() > 1) script_.pop_front();
    lock.unlock();
    // Providers give every message its own id (the store keeps them unique per channel).
    if (outcome.kind == SendOutcome::Kind::sent) outcome.provider_message_id += unique_suffix(item);
    done(outcome);
  }
  std::vector<store::OutboxItem> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void hold() { hold_ = true; }
  void release_all() {
    std::vector<std::function<void(SendOutcome)>> held;
    {
      std::lock_guard lock(mu_);
      hold_ = false;
      held.swap(held_);
    }
    for (std::size_t i = 0; i < held.size(); ++i) held[i](sent("SMheld-" + std::to_string(i)));
  }
  static std::string unique_suffix(const store::OutboxItem& item) {
    return "-" + std::to_string(item.id) + "-" + std::to_string(item.attempts);
  }
  static SendOutcome sent(std::string id) {
    SendOutcome o;
    o.kind = SendOutcome::Kind::sent;
    o.provider_message_id = std::move(id);
    return o;
  }
  static SendOutcome retry() {
    SendOutcome o;
    o.kind = SendOutcome::Kind::retry;
    o.error_code = "503";
    o.error_text = "provider unavailable";
    return o;
  }
  static SendOutcome permanent(std::string code) {
    SendOutcome o;
    o.kind = SendOutcome::Kind::permanent;
    o.error_code = std::move(code);
    o.error_text = "invalid destination";
    return o;
  }

 private:
  std::mutex mu_;
  std::deque<SendOutcome> script_;
  std::vector<store::OutboxItem> calls_;
  std::atomic<bool> hold_{false};
  std::vector<std::function<void(SendOutcome)>> held_;
};

// A ScriptedChannel that can also look sends up: answers each lookup with the next scripted
// outcome (the last one repeats) and records the rows it was asked about.
class LookingUpChannel : public ScriptedChannel {
 public:
  LookingUpChannel(std::deque<SendOutcome> sends, std::deque<LookupOutcome> lookups)
      : ScriptedChannel(std::move(sends)), lookups_(std::move(lookups)) {}
  void lookup(const store::OutboxItem& item, std::function<void(LookupOutcome)> done) override {
    std::unique_lock lock(mu_);
    looked_up_.push_back(item);
    LookupOutcome outcome = lookups_.front();
    if (lookups_.size() > 1) lookups_.pop_front();
    lock.unlock();
    done(outcome);
  }
  std::vector<store::OutboxItem> lookups() {
    std::lock_guard lock(mu_);
    return looked_up_;
  }
  static LookupOutcome found(std::string id) {
    return {LookupOutcome::Kind::found, std::move(id), {}, {}, 0};
  }
  static LookupOutcome not_found() { return {LookupOutcome::Kind::not_found, {}, {}, {}, 0}; }
  static LookupOutcome unknown() {
    return {LookupOutcome::Kind::unknown, {}, "20500", "provider unreachable", 0};
  }

 private:
  std::mutex mu_;
  std::deque<LookupOutcome> lookups_;
  std::vector<store::OutboxItem> looked_up_;
};

config::OutboxConfig fast_options() {
  config::OutboxConfig o;
  o.max_attempts = 4;
  o.initial_backoff_ms = 1;
  o.max_backoff_ms = 4;
  o.poll_interval_ms = 5;
  return o;
}

struct Fixture {
  // Declared before the store, so destroyed after it: the store's writer thread finishes (and
  // drops the completions still queued, some holding strands) while the executor exists.
  std::unique_ptr<AsioExecutor> executor = make_asio_executor(2);
  omnigate::testing::TempStore store;
  Metrics metrics;
  Fixture() { executor->run(); }
  ~Fixture() {
    store->flush();
    executor->stop();
  }

  // A customer message and the agent's reply to it: one outbox row.
  store::ReplyResult reply(const std::string& from, const std::string& text) {
    const auto in = customer_writes(*store, "sms", from, "hello", "SMin-" + from);
    store::ReplyRecord rec;
    rec.conversation_id = in.conversation_id;
    rec.agent_id = "alice";
    rec.body_text = text;
    rec.at = 1763880001000;
    const auto r = committed<store::ReplyResult>(
        [&](store::Completion<store::ReplyResult> done) { store->enqueue_reply(rec, done); });
    conversation_of[r.message_id] = in.conversation_id;
    return r;
  }
  // The reply as the transcript shows it.
  std::optional<store::Message> message(const store::ReplyResult& r) {
    for (const auto& e : store->transcript(conversation_of.at(r.message_id)))
      if (e.message && e.message->id == r.message_id) return e.message;
    return std::nullopt;
  }
  std::string delivery_state(const store::ReplyResult& r) {
    auto m = message(r);
    return m ? m->delivery_state : "";
  }
  std::map<store::Id, store::Id> conversation_of;  // reply message id → conversation id
};

}  // namespace

TEST_CASE("a sent reply records the provider id and is sent once", "[outbox]") {
  Fixture f;
  const auto r = f.reply("+14155550100", "your order shipped");
  ScriptedChannel channel({ScriptedChannel::sent("SM123")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(r) == "sent"; }));
  CHECK(f.message(r)->provider_message_id.rfind("SM123", 0) == 0);
  sender.stop();
  REQUIRE(channel.calls().size() == 1);
  CHECK(channel.calls()[0].body_text == "your order shipped");
  CHECK(channel.calls()[0].idempotency_key == "og-" + std::to_string(r.outbox_id));
  CHECK(f.store->due_outbox(INT64_MAX, 10).empty());
  CHECK(f.metrics.render().find("omnigate_outbound_total{channel=\"sms\",result=\"sent\"} 1") !=
        std::string::npos);
}

TEST_CASE("a retried send backs off and then succeeds with the same idempotency key", "[outbox]") {
  Fixture f;
  const auto r = f.reply("+14155550101", "retry me");
  ScriptedChannel channel(
      {ScriptedChannel::retry(), ScriptedChannel::retry(), ScriptedChannel::sent("SM9")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(r) == "sent"; }));
  sender.stop();
  const auto calls = channel.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].attempts == 1);
  CHECK(calls[2].attempts == 3);
  CHECK(calls[0].idempotency_key == calls[2].idempotency_key);
}

TEST_CASE("a permanent failure marks the reply failed with the provider's code", "[outbox]") {
  Fixture f;
  const auto r = f.reply("+14155550102", "to nowhere");
  ScriptedChannel channel({ScriptedChannel::permanent("21211")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(r) == "failed"; }));
  sender.stop();
  CHECK(f.message(r)->error_code == "21211");
  CHECK(channel.calls().size() == 1);
}

TEST_CASE("a send that keeps failing stops after max_attempts", "[outbox]") {
  Fixture f;
  const auto r = f.reply("+14155550103", "never");
  ScriptedChannel channel({ScriptedChannel::retry()});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(r) == "failed"; }));
  sender.stop();
  CHECK(f.message(r)->error_code == "max_attempts");
  CHECK(channel.calls().size() == 4);
}

TEST_CASE("start resumes pending rows and rows a crash left sending, each exactly once",
          "[outbox]") {
  Fixture f;
  const auto pending = f.reply("+14155550104", "queued before the restart");
  const auto crashed = f.reply("+14155550105", "in flight at the crash");
  // The previous run recorded the attempt and died before the plugin answered.
  committed<store::Nothing>(
      [&](auto done) { f.store->outbox_begin_attempt(crashed.outbox_id, done); });

  ScriptedChannel channel({ScriptedChannel::sent("SMok")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually(
      [&] { return f.delivery_state(pending) == "sent" && f.delivery_state(crashed) == "sent"; }));
  sender.wake();
  sender.stop();
  f.store->flush();
  std::multiset<store::Id> sent;
  for (const auto& c : channel.calls()) sent.insert(c.id);
  CHECK(sent.count(pending.outbox_id) == 1);
  CHECK(sent.count(crashed.outbox_id) == 1);
  for (const auto& c : channel.calls())
    if (c.id == crashed.outbox_id) CHECK(c.attempts == 2);  // the crashed attempt counts
}

TEST_CASE("concurrent wakes never send a row twice", "[outbox]") {
  Fixture f;
  std::vector<store::ReplyResult> replies;
  for (int i = 0; i < 5; ++i) replies.push_back(f.reply("+1415555020" + std::to_string(i), "x"));
  ScriptedChannel channel({ScriptedChannel::sent("SM")});
  channel.hold();  // every send stays in flight while the wakes pile up
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  std::vector<std::thread> wakers;
  for (int t = 0; t < 4; ++t)
    wakers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) sender.wake();
    });
  for (auto& w : wakers) w.join();
  REQUIRE(eventually([&] { return channel.calls().size() >= replies.size(); }));
  for (int i = 0; i < 20; ++i) sender.wake();  // more polls while everything is still in flight
  channel.release_all();
  REQUIRE(eventually([&] { return f.store->due_outbox(INT64_MAX, 100).empty(); }));
  sender.stop();
  std::multiset<store::Id> sent;
  for (const auto& c : channel.calls()) sent.insert(c.id);
  CHECK(sent.size() == replies.size());
  for (const auto& r : replies) CHECK(sent.count(r.outbox_id) == 1);
}

TEST_CASE("a row a crash left sending that the provider has is recorded, not sent again",
          "[outbox][lookup]") {
  Fixture f;
  // An earlier reply in the same conversation, already sent: its id must not be taken for ours.
  const auto earlier = f.reply("+14155550301", "OK");
  committed<store::Nothing>(
      [&](auto done) { f.store->outbox_mark_sent(earlier.outbox_id, "SMearlier", done); });
  const auto crashed = f.reply("+14155550301", "in flight at the crash");
  committed<store::Nothing>(
      [&](auto done) { f.store->outbox_begin_attempt(crashed.outbox_id, done); });
  LookingUpChannel channel({ScriptedChannel::sent("SMnew")}, {LookingUpChannel::found("SMfirst")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(crashed) == "sent"; }));
  sender.stop();
  CHECK(f.message(crashed)->provider_message_id == "SMfirst");
  CHECK(channel.calls().empty());
  REQUIRE(channel.lookups().size() == 1);
  CHECK(channel.lookups()[0].idempotency_key == "og-" + std::to_string(crashed.outbox_id));
  CHECK(channel.lookups()[0].created_at > 0);
  CHECK(channel.lookups()[0].taken_provider_ids == std::vector<std::string>{"SMearlier"});
}

TEST_CASE("a row a crash left sending that the provider lacks is sent once", "[outbox][lookup]") {
  Fixture f;
  const auto crashed = f.reply("+14155550302", "lost before the provider");
  committed<store::Nothing>(
      [&](auto done) { f.store->outbox_begin_attempt(crashed.outbox_id, done); });
  LookingUpChannel channel({ScriptedChannel::sent("SMnew")}, {LookingUpChannel::not_found()});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(crashed) == "sent"; }));
  sender.stop();
  CHECK(channel.lookups().size() == 1);
  REQUIRE(channel.calls().size() == 1);
  CHECK(channel.calls()[0].attempts == 2);
}

TEST_CASE("while the provider cannot say whether it has a row, the row is never re-sent",
          "[outbox][lookup]") {
  Fixture f;
  const auto crashed = f.reply("+14155550303", "provider unreachable");
  committed<store::Nothing>(
      [&](auto done) { f.store->outbox_begin_attempt(crashed.outbox_id, done); });
  config::OutboxConfig options = fast_options();
  options.max_attempts = 10;
  LookingUpChannel channel({ScriptedChannel::sent("SMnew")},
                           {LookingUpChannel::unknown(), LookingUpChannel::unknown(),
                            LookingUpChannel::found("SMfirst")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, options);
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(crashed) == "sent"; }));
  sender.stop();
  CHECK(channel.calls().empty());
  CHECK(channel.lookups().size() == 3);
  CHECK(f.message(crashed)->provider_message_id == "SMfirst");
}

TEST_CASE("a send retried after an error answer asks the channel before sending again",
          "[outbox][lookup]") {
  Fixture f;
  const auto r = f.reply("+14155550304", "retry me");
  LookingUpChannel channel({ScriptedChannel::retry(), ScriptedChannel::sent("SM9")},
                           {LookingUpChannel::not_found()});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(r) == "sent"; }));
  sender.stop();
  CHECK(channel.calls().size() == 2);
  REQUIRE(channel.lookups().size() == 1);  // none before the first attempt
  CHECK(channel.lookups()[0].attempts == 2);
}

TEST_CASE("a row that crashed on its last attempt is recorded as sent when the provider has it",
          "[outbox][lookup]") {
  Fixture f;
  const auto crashed = f.reply("+14155550305", "last attempt");
  for (int i = 0; i < fast_options().max_attempts; ++i)
    committed<store::Nothing>(
        [&](auto done) { f.store->outbox_begin_attempt(crashed.outbox_id, done); });
  LookingUpChannel channel({ScriptedChannel::sent("SMnew")}, {LookingUpChannel::found("SMlast")});
  OutboxSender sender(*f.store, channel, *f.executor, f.metrics, fast_options());
  sender.start();
  REQUIRE(eventually([&] { return f.delivery_state(crashed) == "sent"; }));
  sender.stop();
  CHECK(f.message(crashed)->provider_message_id == "SMlast");
  CHECK(channel.calls().empty());
}
