#include "store_test_env.hpp"

#include <set>

using namespace omnigate::store;
using namespace omnigate::store::test;

TEST_CASE("search finds conversations by the words of their messages, one hit each") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "my parcel never arrived"));
  ingest(*env.store, sms("+14155550100", "SM2", "the parcel is lost, I want a refund"));
  const auto b = ingest(*env.store, sms("+14155550199", "SM3", "refund please"));
  ingest(*env.store, sms("+14155550123", "SM4", "hello"));

  const auto parcel = env.store->search_transcripts("parcel", 10);
  REQUIRE(parcel.size() == 1);
  CHECK(parcel[0].conversation_id == a.conversation_id);

  auto refund = env.store->search_transcripts("Refund", 10);
  REQUIRE(refund.size() == 2);
  std::set<Id> ids{refund[0].conversation_id, refund[1].conversation_id};
  CHECK(ids == std::set<Id>{a.conversation_id, b.conversation_id});
  CHECK(env.store->search_transcripts("refund", 1).size() == 1);

  // Every word must occur; the matched word is marked in the snippet.
  const auto both = env.store->search_transcripts("lost refund", 10);
  REQUIRE(both.size() == 1);
  bool marked = false;
  for (const auto& part : both[0].snippet) marked = marked || (part.match && part.text == "refund");
  CHECK(marked);
}

TEST_CASE("search takes what a user typed literally, FTS5 syntax included") {
  StoreTestEnv env;
  ingest(*env.store, sms("+14155550100", "SM1", "a \"quoted\" word and NEAR(x y) OR"));
  for (const std::string q : {"\"quoted\"", "NEAR(x", "OR", "body_text:word", "*", "\"", "  "}) {
    INFO(q);
    CHECK_NOTHROW(env.store->search_transcripts(q, 10));
  }
  CHECK(env.store->search_transcripts("\"quoted\"", 10).size() == 1);
  CHECK(env.store->search_transcripts("  ", 10).empty());
}
