// The store's side of webhooks and the event pump over a real SQLite store: the cursor and the
// delivery rows move together, an event is enqueued once per subscription, and a failed
// delivery can be sent again.
#include "core/asio_executor.hpp"
#include "store_fixture.hpp"
#include "webhooks/event_pump.hpp"

#include <nlohmann/json.hpp>

#include <future>

using namespace omnigate;
using omnigate::testing::committed;
using omnigate::testing::customer_writes;
using omnigate::testing::eventually;

namespace {

store::Outcome<int> enqueue(store::Store& s, store::WebhookEnqueue batch) {
  std::promise<store::Outcome<int>> p;
  auto f = p.get_future();
  s.enqueue_webhook_deliveries(std::move(batch),
                               [&p](store::Outcome<int> r) { p.set_value(std::move(r)); });
  return f.get();
}

config::WebhookConfig subscription(const std::string& name, std::vector<std::string> events) {
  config::WebhookConfig w;
  w.name = name;
  w.url = "https://example.com/" + name;
  w.secret = "0123456789abcdef0123";
  w.events = std::move(events);
  return w;
}

}  // namespace

TEST_CASE("events after the cursor come with their channel, customer and message") {
  testing::TempStore s;
  const auto cursor = s->webhook_cursor();
  const auto in = customer_writes(*s, "sms", "+14155550100", "hello", "SM1");
  const auto events = s->events_after(cursor, 100);
  REQUIRE(events.size() >= 2);
  CHECK(events.front().event.kind == "conversation.created");
  const auto message = std::find_if(events.begin(), events.end(), [](const auto& e) {
    return e.event.kind == "message.received";
  });
  REQUIRE(message != events.end());
  CHECK(message->channel_instance == "sms");
  CHECK(message->customer_id == in.customer_id);
  REQUIRE(message->message);
  CHECK(message->message->body_text == "hello");
  CHECK(message->message->direction == "in");
  CHECK(s->events_after(events.back().event.id, 100).empty());
}

TEST_CASE("deliveries and the cursor are written together, once, and only from the cursor") {
  testing::TempStore s;
  customer_writes(*s, "sms", "+14155550100", "hello", "SM1");
  const auto events = s->events_after(0, 100);
  const store::Id last = events.back().event.id;
  store::WebhookEnqueue batch{0, last, {{"crm", last, "message.created", "{}"}}, 1000};

  // Another pump moved the cursor: nothing is written.
  auto stale = batch;
  stale.expected_cursor = 99999;
  const auto refused = enqueue(*s, stale);
  CHECK_FALSE(refused.ok);
  CHECK(refused.error.find("conflict") == 0);
  CHECK(s->webhook_cursor() == 0);
  CHECK(s->due_webhook_deliveries(1000, 10).empty());

  const auto r = enqueue(*s, batch);
  REQUIRE(r.ok);
  CHECK(r.value == 1);
  CHECK(s->webhook_cursor() == last);
  // The same event again for the same subscription is ignored.
  batch.expected_cursor = last;
  CHECK(enqueue(*s, batch).value == 0);
  const auto due = s->due_webhook_deliveries(1000, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].state == "pending");
  CHECK(s->due_webhook_deliveries(999, 10).empty());  // not due before it was enqueued
}

TEST_CASE("a delivery's attempts: retry, failed, and an admin's retry starts it afresh") {
  testing::TempStore s;
  customer_writes(*s, "sms", "+14155550100", "hello", "SM1");
  const store::Id last = s->events_after(0, 100).back().event.id;
  REQUIRE(enqueue(*s, {0, last, {{"crm", last, "message.created", "{}"}}, 1000}).ok);
  const store::Id id = s->due_webhook_deliveries(1000, 10).at(0).id;
  using Kind = store::WebhookAttemptOutcome::Kind;

  committed<store::Nothing>([&](auto done) { s->begin_webhook_attempt(id, done); });
  // Left "sending" (a crash): due again at once.
  CHECK(s->due_webhook_deliveries(0, 10).size() == 1);
  committed<store::Nothing>([&](auto done) {
    s->mark_webhook_attempt(id, {Kind::retry, 500, "HTTP 500", 1100, 5000}, done);
  });
  CHECK(s->due_webhook_deliveries(4999, 10).empty());
  CHECK(s->due_webhook_deliveries(5000, 10).at(0).attempts == 1);
  committed<store::Nothing>([&](auto done) { s->begin_webhook_attempt(id, done); });
  committed<store::Nothing>([&](auto done) {
    s->mark_webhook_attempt(id, {Kind::failed, 500, "gave up", 5100, 0}, done);
  });
  CHECK(s->due_webhook_deliveries(1'000'000, 10).empty());
  const auto failed = s->list_webhook_deliveries({"failed", "", 10});
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].attempts == 2);
  CHECK(failed[0].last_status == 500);

  const auto again = committed<store::WebhookDelivery>(
      [&](auto done) { s->retry_webhook_delivery(id, "user:ada", 6000, done); });
  CHECK(again.state == "pending");
  CHECK(again.attempts == 0);
  CHECK(s->due_webhook_deliveries(6000, 10).size() == 1);
  const auto audit = s->list_audit({});
  CHECK(std::any_of(audit.begin(), audit.end(), [&](const store::AuditEntry& a) {
    return a.record.action == "webhook.retry" &&
           a.record.object == "webhook_delivery:" + std::to_string(id);
  }));
  // Only a failed delivery can be retried.
  std::promise<store::Outcome<store::WebhookDelivery>> p;
  s->retry_webhook_delivery(id, "user:ada", 6000, [&](auto r) { p.set_value(std::move(r)); });
  const auto refused = p.get_future().get();
  CHECK_FALSE(refused.ok);
  CHECK(refused.error.find("conflict") == 0);

  committed<store::Nothing>([&](auto done) { s->begin_webhook_attempt(id, done); });
  committed<store::Nothing>([&](auto done) {
    s->mark_webhook_attempt(id, {Kind::delivered, 204, "", 6100, 0}, done);
  });
  const auto counts = s->webhook_delivery_counts();
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].state == "delivered");
  CHECK(counts[0].count == 1);
}

TEST_CASE("the pump enqueues each public event for each subscription that takes it") {
  testing::TempStore s;
  const webhooks::Subscriptions subs(
      {subscription("crm", {"message.created"}), subscription("all", {"*"})});
  auto executor = make_asio_executor(1);
  executor->run();
  std::atomic<int> woken{0};
  webhooks::EventPump pump(*s, *executor, subs, [&] { ++woken; });
  pump.start();
  const auto in = customer_writes(*s, "sms", "+14155550100", "hello", "SM1");
  REQUIRE(eventually([&] { return s->list_webhook_deliveries({"", "", 100}).size() == 3; }));
  pump.stop();
  executor->stop();
  CHECK(woken > 0);
  const auto crm = s->list_webhook_deliveries({"", "crm", 100});
  REQUIRE(crm.size() == 1);
  CHECK(crm[0].event_type == "message.created");
  const auto body = nlohmann::json::parse(crm[0].payload);
  CHECK(body["conversation_id"] == in.conversation_id);
  CHECK(body["data"]["message"]["body_text"] == "hello");
  const auto all = s->list_webhook_deliveries({"", "all", 100});
  REQUIRE(all.size() == 2);
  CHECK(all[0].event_type == "message.created");  // newest first
  CHECK(all[1].event_type == "conversation.created");
}
