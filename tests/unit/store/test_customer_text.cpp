// Text that is not UTF-8 is stored repaired and flagged, with the original bytes kept; senders
// that are not what their kind promises are kept as unverified identities, never as phones.
#include "store_test_env.hpp"
#include "text_columns.hpp"

#include <nlohmann/json.hpp>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

// The data of the message's "message.received" event (the transcript folds that event into the
// message, so it is read from the database).
std::string received_data(const std::string& db_path, Id message_id) {
  return read_value(db_path,
                    "SELECT data_json FROM events WHERE kind = 'message.received' AND "
                    "message_id = " +
                        std::to_string(message_id));
}

}  // namespace

TEST_CASE("text that is not UTF-8 is stored as U+FFFD, flagged, its bytes kept in raw") {
  StoreTestEnv env;
  auto rec = sms("+15551234567", "SM1", "\xFF\xFEhi");
  rec.subject = "caf\xE9";
  rec.from_name = "J\xF6rg";
  const auto stored = ingest(*env.store, rec);
  env.store.reset();

  CHECK(invalid_text_values(env.options.path).empty());
  const auto id = std::to_string(stored.message_id);
  CHECK(read_value(env.options.path, "SELECT body_text FROM messages WHERE id = " + id) ==
        kFFFD + kFFFD + "hi");
  CHECK(read_value(env.options.path, "SELECT subject FROM messages WHERE id = " + id) ==
        "caf" + kFFFD);
  CHECK(read_value(env.options.path, "SELECT malformed FROM messages WHERE id = " + id) == "1");
  // The plugin gave no raw copy: the store keeps the originals of what it changed.
  CHECK(read_value(env.options.path, "SELECT raw FROM messages WHERE id = " + id) ==
        "from_name=J%F6rg&subject=caf%E9&body_text=%FF%FEhi");
  CHECK(read_value(env.options.path, "SELECT display_name FROM customers") == "J" + kFFFD + "rg");
}

TEST_CASE("the reason a message was flagged is in its message.received event") {
  StoreTestEnv env;
  const auto stored = ingest(*env.store, sms("+15551234567", "SM1", "\xC3("));
  const auto data = nlohmann::json::parse(received_data(env.options.path, stored.message_id));
  CHECK(data["problems"] == nlohmann::json::array({"body_text: not UTF-8"}));
}

TEST_CASE("valid text is stored unchanged and not flagged") {
  StoreTestEnv env;
  auto rec = sms("+15551234567", "SM1", "S\xC3\xA3o Paulo \xF0\x9F\x98\x80");
  rec.raw = "Body=S%C3%A3o";
  const auto stored = ingest(*env.store, rec);
  env.store.reset();
  const auto id = std::to_string(stored.message_id);
  CHECK(read_value(env.options.path, "SELECT body_text FROM messages WHERE id = " + id) ==
        "S\xC3\xA3o Paulo \xF0\x9F\x98\x80");
  CHECK(read_value(env.options.path, "SELECT malformed FROM messages WHERE id = " + id) == "0");
  CHECK(read_value(env.options.path, "SELECT raw FROM messages WHERE id = " + id) ==
        "Body=S%C3%A3o");
}

TEST_CASE("a plugin's raw copy is kept as is; one that is not UTF-8 is kept as a BLOB") {
  StoreTestEnv env;
  auto rec = sms("+15551234567", "SM1", "caf\xE9");
  rec.raw = "Subject: x\r\n\r\ncaf\xE9";  // an 8-bit mail, as the plugin received it
  const auto stored = ingest(*env.store, rec);
  env.store.reset();
  const auto id = std::to_string(stored.message_id);
  CHECK(invalid_text_values(env.options.path).empty());
  CHECK(read_value(env.options.path, "SELECT typeof(raw) FROM messages WHERE id = " + id) ==
        "blob");
  CHECK(read_value(env.options.path, "SELECT raw FROM messages WHERE id = " + id) == rec.raw);
  CHECK(read_value(env.options.path, "SELECT malformed FROM messages WHERE id = " + id) == "1");
}

TEST_CASE("senders that are not phone numbers are not phone identities, and are kept flagged") {
  const std::string forty(40, '4');
  for (const std::string& from : {std::string("hello"), forty, std::string("+1555\xFF\xFF")}) {
    INFO(from);
    StoreTestEnv env;
    auto rec = sms(from, "SM1", "my message");
    rec.raw = "From=" + from;  // what the plugin received
    const auto stored = ingest(*env.store, rec);
    const auto customer = env.store->get_customer(stored.customer_id);
    REQUIRE(customer);
    REQUIRE(customer->identities.size() == 1);
    CHECK(customer->identities[0].first == "unverified");
    const auto transcript = env.store->transcript(stored.conversation_id);
    bool kept = false;
    for (const auto& entry : transcript)
      if (entry.message) {
        kept = entry.message->body_text == "my message";
        CHECK(entry.message->malformed);
      }
    CHECK(kept);
    CHECK(received_data(env.options.path, stored.message_id).find("from_address: not") !=
          std::string::npos);
    env.store.reset();
    CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM identities WHERE kind = 'phone'") ==
          0);
    CHECK(invalid_text_values(env.options.path).empty());
  }
}

TEST_CASE("an unverified sender's messages thread together") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("hello", "SM1", "one"));
  const auto second = ingest(*env.store, sms("hello", "SM2", "two"));
  CHECK(second.customer_id == first.customer_id);
  CHECK(second.conversation_id == first.conversation_id);
}

TEST_CASE("a WhatsApp sender is a whatsapp identity and replies go to its WhatsApp address") {
  StoreTestEnv env;
  const auto stored = ingest(*env.store, sms("whatsapp:+14155238886", "SM1", "hi"));
  const auto customer = env.store->get_customer(stored.customer_id);
  REQUIRE(customer);
  REQUIRE(customer->identities.size() == 1);
  CHECK(customer->identities[0] ==
        std::make_pair(std::string("whatsapp"), std::string("whatsapp:+14155238886")));
  const auto conversation = env.store->get_conversation(stored.conversation_id);
  REQUIRE(conversation);
  CHECK(conversation->customer_address == "whatsapp:+14155238886");
  // Not flagged: a WhatsApp sender is a verified identity.
  for (const auto& entry : env.store->transcript(stored.conversation_id))
    if (entry.message) CHECK_FALSE(entry.message->malformed);
  // The same number by SMS is another identity (another channel to answer on).
  const auto by_sms = ingest(*env.store, sms("+14155238886", "SM2", "hi"));
  CHECK(by_sms.customer_id != stored.customer_id);
}
