// Satisfaction ratings in the store (docs/qa.md "CSAT"): an SMS that is only a digit 1–5 soon
// after its conversation was resolved rates it without reopening it; anything else reopens as
// before; an agent's rating of a resolved conversation replaces an earlier one; the QA reports
// read them per period and the "low_csat" sampling target finds the ones rated 1 or 2.
#include "store_test_env.hpp"

#include <limits>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr UnixMs kEver = std::numeric_limits<UnixMs>::max();

struct CsatEnv : StoreTestEnv {
  CsatEnv() {
    options.csat_sms_window_ms = kDayMs;
    reopen();
  }

  void resolve(Id conversation) {
    const auto r = wait_for<Nothing>([&](Completion<Nothing> done) {
      store->set_conversation_status(conversation, ConversationStatus::resolved, "user:ann", done);
    });
    REQUIRE(r.ok);
  }

  ConversationStatus status(Id conversation) {
    return store->get_conversation(conversation)->status;
  }

  std::vector<Event> csat_events(Id conversation) {
    return store->events_of_kind(conversation, "csat.");
  }
};

}  // namespace

TEST_CASE("a lone digit after the resolution rates the conversation and does not reopen it") {
  CsatEnv env;
  const auto first = ingest(*env.store, sms("+14155550100", "SM1", "my parcel is late"));
  env.resolve(first.conversation_id);

  const auto rated = ingest(*env.store, sms("+14155550100", "SM2", " 4\n"));
  CHECK(rated.conversation_id == first.conversation_id);
  CHECK_FALSE(rated.reopened);
  CHECK(env.status(first.conversation_id) == ConversationStatus::resolved);
  auto ratings = env.store->csat_ratings(0, kEver);
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].conversation_id == first.conversation_id);
  CHECK(ratings[0].rating == 4);
  CHECK(ratings[0].source == "sms");
  CHECK(ratings[0].actor == "plugin:sms");
  auto events = env.csat_events(first.conversation_id);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "csat.received");
  CHECK(events[0].data_json == R"({"rating":4,"source":"sms"})");

  // The same SMS again (a provider's retry) changes nothing; a second digit replaces the first.
  ingest(*env.store, sms("+14155550100", "SM2", " 4\n"));
  CHECK(env.csat_events(first.conversation_id).size() == 1);
  ingest(*env.store, sms("+14155550100", "SM3", "2"));
  ratings = env.store->csat_ratings(0, kEver);
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].rating == 2);
  CHECK(env.csat_events(first.conversation_id).size() == 2);
  CHECK(env.status(first.conversation_id) == ConversationStatus::resolved);
  CHECK_FALSE(env.store->verify_transcripts(first.conversation_id));  // chained like any event

  // Rated 2: the "low CSAT" sampling target finds it.
  QaConversationFilter low;
  low.low_csat = true;
  const auto found = env.store->qa_conversations(low);
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == first.conversation_id);
  CHECK(found[0].low_csat);
}

TEST_CASE("other text, other digits, late digits and open conversations are plain messages") {
  CsatEnv env;
  const auto first = ingest(*env.store, sms("+14155550101", "SM1", "hello"));
  // Not resolved: a digit is an answer to the agent, not a rating.
  CHECK_FALSE(ingest(*env.store, sms("+14155550101", "SM2", "3")).reopened);
  env.resolve(first.conversation_id);
  for (const char* text : {"6", "0", "45", "5 stars", "thanks"}) {
    INFO(text);
    const auto r = ingest(*env.store, sms("+14155550101", std::string("SMx") + text, text));
    CHECK(r.reopened);
    env.resolve(first.conversation_id);
  }
  // After the window: a digit reopens it too.
  auto late = sms("+14155550101", "SM-late", "5");
  late.received_at = env.store->get_conversation(first.conversation_id)->updated_at + 2 * kDayMs;
  CHECK(ingest(*env.store, late).reopened);
  CHECK(env.store->csat_ratings(0, kEver).empty());
  CHECK(env.csat_events(first.conversation_id).empty());
}

TEST_CASE("with no window every SMS reopens, and an agent's rating needs a resolved conversation") {
  StoreTestEnv env;  // csat_sms_window_ms = 0
  const auto first = ingest(*env.store, sms("+14155550102", "SM1", "hello"));
  const auto save = [&](int rating) {
    return wait_for<CsatRating>([&](Completion<CsatRating> done) {
      env.store->save_csat({first.conversation_id, rating, "agent", "user:ann", 1000}, done);
    });
  };
  const auto open = save(5);
  CHECK_FALSE(open.ok);
  CHECK(open.error.find("is not resolved") != std::string::npos);
  const auto missing = wait_for<CsatRating>([&](Completion<CsatRating> done) {
    env.store->save_csat({987654, 5, "agent", "user:ann", 1000}, done);
  });
  CHECK(missing.error.find("does not exist") != std::string::npos);

  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_conversation_status(first.conversation_id, ConversationStatus::resolved,
                                               "user:ann", done);
          }).ok);
  CHECK(ingest(*env.store, sms("+14155550102", "SM2", "5")).reopened);
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_conversation_status(first.conversation_id, ConversationStatus::resolved,
                                               "user:ann", done);
          }).ok);
  const auto saved = save(5);
  REQUIRE(saved.ok);
  CHECK(saved.value.rating == 5);
  const auto ratings = env.store->csat_ratings(0, kEver);
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].source == "agent");
  CHECK(ratings[0].actor == "user:ann");
  // A conversation created outside the period is not the period's.
  const auto created = env.store->get_conversation(first.conversation_id)->created_at;
  CHECK(env.store->csat_ratings(created + 1, kEver).empty());
}
