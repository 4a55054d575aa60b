#include "sample_history.hpp"

#include <store/store.hpp>

#include <future>
#include <stdexcept>

namespace routing_sim::sample {

using namespace omnigate::store;

namespace {

// Waits for one asynchronous store write and returns its value; a failed write is a broken
// sample, so it throws.
template <class T, class Write>
T wait_for(Write write) {
  std::promise<Outcome<T>> done;
  auto result = done.get_future();
  write([&done](Outcome<T> outcome) { done.set_value(std::move(outcome)); });
  auto outcome = result.get();
  if (!outcome.ok) throw std::runtime_error("sample history: " + outcome.error);
  return outcome.value;
}

constexpr Tier kCustomerTiers[] = {Tier::S, Tier::A, Tier::A, Tier::B, Tier::B,
                                   Tier::B, Tier::C, Tier::C, Tier::C, Tier::C};
constexpr UnixMs kMinute = 60000;

Agent agent(std::string id, std::string team, std::vector<Tier> tiers, int level) {
  Agent a;
  a.id = std::move(id);
  a.team = std::move(team);
  a.tiers = std::move(tiers);
  a.skills = {{"email", level}, {"webchat", level}, {"billing", level}};
  a.capacity = {{"email", 1}, {"webchat", 1}};
  a.presence = Presence::offline;
  a.presence_since = kFrom - 7 * 24 * 60 * kMinute;
  return a;
}

}  // namespace

void write_sample_history(const std::string& db_path, const std::string& attachments_dir) {
  SqliteOptions options;
  options.path = db_path;
  options.attachments_dir = attachments_dir;
  auto store = open_sqlite_store(options);
  Agent carol = agent("carol", "key_accounts", {Tier::S, Tier::A}, 4);
  carol.presence = Presence::online;  // since a week ago: no presence change is audited
  for (auto a : {agent("alice", "desk_north", {}, 3), agent("bob", "desk_north", {}, 3), carol})
    wait_for<Nothing>([&](auto done) { store->upsert_agent(a, done); });
  // Presence changes as the agent API audits them.
  const auto presence = [&](const char* who, const char* p, UnixMs at) {
    wait_for<Nothing>([&](auto done) {
      store->audit({who, "agent.presence", std::string("agent:") + who, "127.0.0.1",
                    std::string("{\"presence\":\"") + p + "\"}", at},
                   done);
    });
  };
  presence("alice", "online", kFrom - 5 * kMinute);
  presence("bob", "online", kFrom);
  presence("bob", "offline", kBobOffline);

  const auto inbound = [&](int customer, const std::string& channel, const std::string& thread,
                           int priority, UnixMs at) {
    InboundRecord rec;
    rec.channel_instance = channel;
    rec.channel_kind = channel;
    rec.provider_message_id = channel + "-" + std::to_string(customer) + "-" + thread;
    rec.from_kind = channel == "email" ? "email" : "webchat";
    rec.from_address =
        "customer" + std::to_string(customer) + (channel == "email" ? "@example.com" : "-session");
    rec.thread_key = thread;
    rec.body_text = "hello";
    rec.priority = priority;
    rec.received_at = at;
    return wait_for<IngestResult>([&](auto done) { store->ingest_message(rec, done); });
  };
  // Each customer's first e-mail a week before makes the customer, whose tier is then set: the
  // conversations opened afterwards take that tier.
  const auto channel_of = [](int customer) { return customer % 2 ? "webchat" : "email"; };
  for (int c = 0; c < 10; ++c) {
    const auto first = inbound(c, channel_of(c), "first", 4, kFrom - 7 * 24 * 60 * kMinute);
    wait_for<Nothing>([&](auto done) {
      store->set_customer_tier(first.customer_id, kCustomerTiers[c], "admin", done);
    });
  }
  // The store stamps assign_conversation/set_conversation_status with the wall clock, so the
  // day's course is written as the same events (kind and data as those write them) at the
  // times they happened.
  const auto event = [&](Id conversation, const char* kind, std::string data, UnixMs at) {
    wait_for<Id>([&](auto done) {
      store->add_event({conversation, kind, "system", std::move(data), at}, done);
    });
  };
  for (int i = 0; i < kContacts + 2; ++i) {
    const int customer = i % 10;
    const std::string channel = channel_of(customer);
    const UnixMs arrived = kFrom + 4 * kMinute * i;
    const auto conv =
        inbound(customer, channel, "t" + std::to_string(i), 1 + i % 4, arrived).conversation_id;
    if (i == kNeverAssigned) continue;
    if (i == kAbandoned) {
      event(conv, "conversation.closed", "{}", arrived + kAbandonAfterMs);
      continue;
    }
    const bool key_account = kCustomerTiers[customer] <= Tier::A;
    const std::string who = key_account ? "carol" : i % 4 < 2 ? "alice" : "bob";
    const UnixMs assigned = arrived + 2 * kMinute;
    event(conv, "conversation.assigned",
          "{\"reason\":\"least occupied\",\"agent\":\"" + who + "\"}", assigned);
    wait_for<ReplyResult>([&](auto done) {
      ReplyRecord reply;
      reply.conversation_id = conv;
      reply.agent_id = who;
      reply.body_text = "on it";
      reply.at = assigned + kReplyMs;
      store->enqueue_reply(reply, done);
    });
    if (i != kOpenAtEnd) event(conv, "conversation.resolved", "{}", assigned + kHandleMs);
  }
  store->flush();
}

}  // namespace routing_sim::sample
