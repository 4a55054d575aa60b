#include "store_test_env.hpp"

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {
const std::string kTokenA(64, 'a');
const std::string kTokenB(64, 'b');
}  // namespace

TEST_CASE("agents round-trip with skills tiers capacity and presence") {
  StoreTestEnv env;
  Agent alice;
  alice.id = "alice";
  alice.display_name = "Alice";
  alice.team = "support";
  alice.skills = {{"sms", 3}, {"billing", 2}};
  alice.tiers = {Tier::S, Tier::A};
  alice.capacity = {{"sms", 5}, {"voice", 1}};
  alice.presence = Presence::online;
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->upsert_agent(alice, done); }).ok);
  REQUIRE(wait_for<Nothing>([&](auto done) {
            env.store->set_agent_presence("alice", Presence::away, done);
          }).ok);
  const auto got = env.store->get_agent("alice");
  REQUIRE(got);
  CHECK(got->team == "support");
  REQUIRE(got->skills.size() == 2);
  CHECK(got->skills[1].skill == "billing");
  CHECK(got->tiers == std::vector<Tier>{Tier::S, Tier::A});
  CHECK(got->capacity == std::map<std::string, int>{{"sms", 5}, {"voice", 1}});
  CHECK(got->presence == Presence::away);
  CHECK(env.store->list_agents().size() == 1);
  CHECK_FALSE(env.store->get_agent("nobody"));
  auto unknown = wait_for<Nothing>(
      [&](auto done) { env.store->set_agent_presence("nobody", Presence::online, done); });
  CHECK_FALSE(unknown.ok);
  CHECK_THAT(unknown.error, Catch::Contains("nobody"));
}

TEST_CASE("users are found by token digest and a new token revokes the old one") {
  StoreTestEnv env;
  User alice{"alice", {Role::supervisor}, std::string("alice")};
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->upsert_user(alice, kTokenA, done); }).ok);
  const auto found = env.store->credential_by_token(kTokenA);
  REQUIRE(found);
  CHECK(found->kind == "user");
  CHECK(found->user.name == "alice");
  CHECK(found->user.roles == std::vector<Role>{Role::supervisor});
  CHECK(found->user.agent_id == std::optional<std::string>("alice"));

  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->upsert_user(alice, kTokenB, done); }).ok);
  CHECK_FALSE(env.store->credential_by_token(kTokenA));
  CHECK(env.store->credential_by_token(kTokenB));

  auto plain = wait_for<Nothing>(
      [&](auto done) { env.store->upsert_user(alice, "alice-demo-token", done); });
  CHECK_FALSE(plain.ok);
  CHECK_THAT(plain.error, Catch::Contains("SHA-256"));
  CHECK_THAT(plain.error, !Catch::Contains("alice-demo-token"));  // a secret is never echoed
}

TEST_CASE("plugin key value pairs are scoped by instance") {
  StoreTestEnv env;
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->kv_put("sms", "cursor", "1", done); }).ok);
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->kv_put("sms", "cursor", "2", done); }).ok);
  CHECK(env.store->kv_get("sms", "cursor") == std::optional<std::string>("2"));
  CHECK_FALSE(env.store->kv_get("email", "cursor"));
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->kv_delete("sms", "cursor", done); }).ok);
  CHECK_FALSE(env.store->kv_get("sms", "cursor"));
}

TEST_CASE("audit records are kept") {
  StoreTestEnv env;
  AuditRecord rec{"qa1", "transcript.read", "conversation:1", "127.0.0.1", "", 0};
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->audit(rec, done); }).ok);
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM audit WHERE actor = 'qa1' AND action = "
                   "'transcript.read'") == 1);
  auto bad = wait_for<Nothing>([&](auto done) { env.store->audit(AuditRecord{}, done); });
  CHECK_FALSE(bad.ok);
}
