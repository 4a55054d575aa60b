// Customers: one person, one record. Identities re-read with the operator's phone region, the
// duplicates that leaves (never merged by the store), and a merge undone back to exactly what
// was there.
#include "store_test_env.hpp"

#include <algorithm>
#include <array>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

InboundRecord mail(std::string from, std::string provider_id) {
  InboundRecord rec;
  rec.channel_instance = "email";
  rec.channel_kind = "email";
  rec.from_kind = "email";
  rec.from_address = from;
  rec.thread_key = "mail:" + provider_id;
  rec.provider_message_id = std::move(provider_id);
  rec.body_text = "hello";
  return rec;
}

bool suggested(Store& store, Id a, Id b, const std::string& reason) {
  const auto pairs = store.duplicate_customers(100);
  return std::any_of(pairs.begin(), pairs.end(), [&](const DuplicateSuggestion& d) {
    return d.customer_id == std::min(a, b) && d.other_id == std::max(a, b) && d.reason == reason;
  });
}

Outcome<MergeOutcome> merge(Store& store, CustomerMerge m) {
  return wait_for<MergeOutcome>(
      [&](Completion<MergeOutcome> done) { store.merge_customers(std::move(m), done); });
}

Outcome<MergeOutcome> undo(Store& store, Id merge_id, UnixMs now) {
  return wait_for<MergeOutcome>([&](Completion<MergeOutcome> done) {
    store.undo_customer_merge(merge_id, "user:sue", now, done);
  });
}

std::vector<std::string> event_kinds(Store& store, Id conversation) {
  std::vector<std::string> out;
  for (const auto& e : store.events_of_kind(conversation, "customer.merge")) out.push_back(e.kind);
  return out;
}

}  // namespace

TEST_CASE("a configured region re-reads stored numbers and never merges the customers it joins") {
  StoreTestEnv env;
  // Before a region was configured a national number could only be an unverified identity.
  const auto national = ingest(*env.store, sms("(415) 555-0100", "SM1", "first"));
  const auto international = ingest(*env.store, sms("+14155550100", "SM2", "second"));
  const auto lonely = ingest(*env.store, sms("(212) 555-0199", "SM3", "third"));
  CHECK(national.customer_id != international.customer_id);
  CHECK(env.store->get_customer(lonely.customer_id)->identities[0].first == "unverified");
  CHECK_FALSE(suggested(*env.store, national.customer_id, international.customer_id, "phone"));

  env.options.phone_region = "US";
  env.reopen();
  // A number nobody else holds becomes the phone identity it is.
  CHECK(env.store->get_customer(lonely.customer_id)->identities[0] ==
        std::make_pair(std::string("phone"), std::string("+12125550199")));
  // One another customer holds already stays with its customer: a suggestion, not a merge.
  CHECK(env.store->get_customer(national.customer_id)->identities[0].first == "unverified");
  CHECK(suggested(*env.store, national.customer_id, international.customer_id, "phone"));
  // New messages in the national format find the customer of the international one.
  const auto again = ingest(*env.store, sms("(415) 555-0100", "SM4", "again"));
  CHECK(again.customer_id == international.customer_id);
  const auto found = env.store->customer_by_identity("phone", "415-555-0100");
  REQUIRE(found);
  CHECK(found->customer.id == international.customer_id);
}

TEST_CASE("e-mail keeps the local part: another case is a suggestion, not the same customer") {
  StoreTestEnv env;
  const auto upper = ingest(*env.store, mail("Ann.Lee@Example.COM", "m1"));
  const auto same = ingest(*env.store, mail("Ann.Lee@example.com", "m2"));
  const auto lower = ingest(*env.store, mail("ann.lee@example.com", "m3"));
  CHECK(same.customer_id == upper.customer_id);
  CHECK(lower.customer_id != upper.customer_id);
  CHECK(env.store->get_customer(upper.customer_id)->identities[0].second == "Ann.Lee@example.com");
  CHECK(suggested(*env.store, upper.customer_id, lower.customer_id, "email"));
}

TEST_CASE("same name and company is a suggestion") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550101", "SM1", "a"));
  const auto b = ingest(*env.store, sms("+14155550102", "SM2", "b"));
  const std::array<std::pair<Id, const char*>, 2> companies{
      {{a.customer_id, "ACME"}, {b.customer_id, "acme"}}};
  for (const auto& [id, company] : companies) {
    CustomerUpdate u;
    u.customer_id = id;
    u.display_name = "Ann Lee";
    u.attributes_json = std::string(R"({"company":")") + company + "\"}";
    REQUIRE(wait_for<CustomerChange>([&](Completion<CustomerChange> done) {
              env.store->update_customer(u, done);
            }).ok);
  }
  CHECK(suggested(*env.store, a.customer_id, b.customer_id, "name_company"));
}

TEST_CASE("a merge moves everything to the survivor and its undo restores exactly what was") {
  StoreTestEnv env;
  const auto keep = ingest(*env.store, sms("+14155550100", "SM1", "survivor's"));
  const auto gone = ingest(*env.store, mail("ann@example.com", "m1"));
  const auto gone_old = ingest(*env.store, mail("ann@example.com", "m2"));
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_conversation_status(gone_old.conversation_id,
                                               ConversationStatus::resolved, "agent:al", done);
          }).ok);
  CustomerUpdate u;
  u.customer_id = gone.customer_id;
  u.display_name = "Ann Lee";
  u.tier = Tier::A;
  u.attributes_json = R"({"company":"ACME"})";
  REQUIRE(wait_for<CustomerChange>([&](Completion<CustomerChange> done) {
            env.store->update_customer(u, done);
          }).ok);
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_customer_contacts(keep.customer_id, {{"account_manager", "bob", "Bob"}},
                                             "user:sue", done);
          }).ok);
  const Customer survivor_before = *env.store->get_customer(keep.customer_id);

  CustomerMerge m;
  m.survivor_id = keep.customer_id;
  m.merged_id = gone.customer_id;
  m.display_name = MergeSide::merged;
  m.tier = MergeSide::merged;
  m.actor = "user:sue";
  m.undo_window_ms = 60000;
  m.at = 1'000'000;
  const auto merged = merge(*env.store, m);
  INFO(merged.error);
  REQUIRE(merged.ok);
  const auto record = merged.value.merge;
  CHECK(record.undo_until == 1'060'000);
  CHECK(record.conversations == std::vector<Id>{gone.conversation_id, gone_old.conversation_id});

  const Customer survivor = *env.store->get_customer(keep.customer_id);
  CHECK(survivor.display_name == "Ann Lee");
  CHECK(survivor.tier == Tier::A);
  CHECK(survivor.attributes_json == survivor_before.attributes_json);  // the survivor's kept
  CHECK(survivor.identities.size() == 2);
  CHECK(env.store->customer_contacts(keep.customer_id).size() == 1);
  CHECK(env.store->get_customer(gone.customer_id)->merged_into == keep.customer_id);
  for (const Id c : {gone.conversation_id, gone_old.conversation_id, keep.conversation_id}) {
    CHECK(env.store->get_conversation(c)->customer_id == keep.customer_id);
    CHECK(event_kinds(*env.store, c) == std::vector<std::string>{"customer.merged"});
  }
  // Open conversations take the survivor's tier; routing is told through the changes.
  CHECK(env.store->get_conversation(keep.conversation_id)->tier == Tier::A);
  REQUIRE(merged.value.changes.size() == 1);
  CHECK(merged.value.changes[0].open_conversations ==
        std::vector<Id>{keep.conversation_id, gone.conversation_id});
  CHECK(env.store->duplicate_customers(100).empty());  // a merged record is nobody's duplicate
  // Mail from the merged customer's address now reaches the survivor's thread.
  auto later = mail("ann@example.com", "m3");
  later.thread_key = "mail:m1";
  const auto threaded = ingest(*env.store, later);
  CHECK(threaded.customer_id == keep.customer_id);
  CHECK(threaded.conversation_id == gone.conversation_id);
  // Merging a merged record again is refused.
  m.merged_id = gone.customer_id;
  CHECK_FALSE(merge(*env.store, m).ok);

  const auto undone = undo(*env.store, record.id, 1'050'000);
  INFO(undone.error);
  REQUIRE(undone.ok);
  CHECK(undone.value.merge.undone_at == 1'050'000);
  const Customer restored = *env.store->get_customer(keep.customer_id);
  CHECK(restored.display_name == survivor_before.display_name);
  CHECK(restored.tier == survivor_before.tier);
  CHECK(restored.tier_source == survivor_before.tier_source);
  CHECK(restored.identities == survivor_before.identities);
  const Customer back = *env.store->get_customer(gone.customer_id);
  CHECK(back.merged_into == 0);
  CHECK(back.identities ==
        std::vector<std::pair<std::string, std::string>>{{"email", "ann@example.com"}});
  CHECK(env.store->get_conversation(gone.conversation_id)->customer_id == gone.customer_id);
  CHECK(env.store->get_conversation(gone_old.conversation_id)->customer_id == gone.customer_id);
  CHECK(env.store->get_conversation(keep.conversation_id)->customer_id == keep.customer_id);
  CHECK(env.store->get_conversation(keep.conversation_id)->tier == Tier::C);
  CHECK(env.store->get_conversation(gone.conversation_id)->tier == Tier::A);
  CHECK(event_kinds(*env.store, gone.conversation_id) ==
        std::vector<std::string>{"customer.merged", "customer.merge_undone"});
  CHECK(env.store->customer_contacts(keep.customer_id).size() == 1);
  // Once is enough.
  const auto twice = undo(*env.store, record.id, 1'050'001);
  CHECK_FALSE(twice.ok);
  CHECK(twice.error.find("undone already") != std::string::npos);
}

TEST_CASE("undo is refused after its window, and while the survivor is merged into another") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550101", "SM1", "a"));
  const auto b = ingest(*env.store, sms("+14155550102", "SM2", "b"));
  const auto c = ingest(*env.store, sms("+14155550103", "SM3", "c"));
  CustomerMerge m;
  m.survivor_id = a.customer_id;
  m.merged_id = b.customer_id;
  m.actor = "user:sue";
  m.undo_window_ms = 1000;
  m.at = 5000;
  const auto first = merge(*env.store, m);
  REQUIRE(first.ok);
  const auto late = undo(*env.store, first.value.merge.id, 6001);
  CHECK_FALSE(late.ok);
  CHECK(late.error.find("conflict: the undo window") == 0);

  m.survivor_id = c.customer_id;
  m.merged_id = a.customer_id;
  m.undo_window_ms = 100000;
  const auto second = merge(*env.store, m);
  REQUIRE(second.ok);
  m.undo_window_ms = 1000;
  // With a window still open, the first merge waits for the second's undo.
  const auto blocked = undo(*env.store, first.value.merge.id, 5500);
  CHECK_FALSE(blocked.ok);
  CHECK(blocked.error.find("merged into customer " + std::to_string(c.customer_id)) !=
        std::string::npos);
  REQUIRE(undo(*env.store, second.value.merge.id, 5500).ok);
  REQUIRE(undo(*env.store, first.value.merge.id, 5500).ok);
  CHECK(env.store->get_conversation(b.conversation_id)->customer_id == b.customer_id);
  CHECK(env.store->get_conversation(a.conversation_id)->customer_id == a.customer_id);
}
