// The admin routes (agents, users, teams, skills, customers) through the real Router with a real
// SQLite store and the real routing engine behind RoutingDispatcher: changes reach routing
// without a restart.
#include "api/admin_api.hpp"

#include "core/asio_executor.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;
using omnigate::testing::eventually;

namespace {

struct Admin {
  // Declared before the store, so destroyed after it: the store's writer thread finishes (and
  // drops the completions still queued, some holding strands) while the executor exists.
  std::unique_ptr<AsioExecutor> executor = make_asio_executor(2);
  omnigate::testing::TempStore store;
  Metrics metrics;
  std::unique_ptr<dispatch::RoutingDispatcher> dispatcher;
  std::unique_ptr<api::AdminApi> admin_api;
  http::Router router;

  // Users: ada (admin), sue (supervisor), quinn (qa); pat (agent "pat", team support, sms).
  explicit Admin(const std::string& policy_json = "") {
    executor->run();
    store::Agent pat;
    pat.id = pat.display_name = "pat";
    pat.team = "support";
    pat.skills = {{"sms", 2}, {"email", 2}};
    pat.capacity = {{"sms", 5}, {"email", 5}};
    committed<store::Nothing>([&](auto done) { store->upsert_agent(pat, done); });
    user("ada", store::Role::admin, "");
    user("sue", store::Role::supervisor, "");
    user("quinn", store::Role::qa, "");
    user("pat", store::Role::agent, "pat");
    dispatcher =
        std::make_unique<dispatch::RoutingDispatcher>(*store, *executor, metrics, policy_json);
    dispatcher->start();
    admin_api = std::make_unique<api::AdminApi>(*store, *dispatcher);
    admin_api->register_routes(router);
  }
  ~Admin() {
    dispatcher->stop();
    store->flush();
    executor->stop();
  }

  void user(const std::string& name, store::Role role, const std::string& agent_id) {
    testing::add_user(*store, name, role, agent_id);
  }

  struct Result {
    int status = 0;
    json body;
  };
  // `who` is a user name whose token is "<who>-token", or "token:<raw token>".
  Result call(const std::string& method, const std::string& path, const std::string& who,
              const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.target = req.path = path;
    auto m = router.match(method, req.path);
    REQUIRE(m.handler != nullptr);
    req.params = m.params;
    const std::string token = who.rfind("token:", 0) == 0 ? who.substr(6) : who + "-token";
    req.headers.emplace_back("Authorization", "Bearer " + token);
    req.body = body;
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    auto r = f.get();
    return {r.status, json::parse(r.body)};
  }

  // A customer writes now (so tier wait rules see a fresh arrival); the dispatcher is told as
  // the plugin host would tell it.
  store::IngestResult writes(const std::string& kind, const std::string& from) {
    store::InboundRecord rec;
    rec.channel_instance = rec.channel_kind = kind;
    rec.provider_message_id = kind + "-" + from + "-" + std::to_string(now_ms());
    rec.from_kind = kind == "sms" ? "phone" : "email";
    rec.from_address = from;
    rec.to_address = "+18005550000";
    rec.thread_key = kind + ":" + from;
    rec.body_text = "hello";
    const auto r = committed<store::IngestResult>(
        [&](store::Completion<store::IngestResult> done) { store->ingest_message(rec, done); });
    dispatcher->on_inbound(kind, r, true);
    return r;
  }
  void presence(const std::string& agent, store::Presence p) {
    std::promise<std::string> done;
    dispatcher->set_presence(agent, p, [&done](std::string e) { done.set_value(e); });
    REQUIRE(done.get_future().get().empty());
  }
  // Everything the dispatcher was told so far has been decided and committed.
  void settle() {
    std::promise<void> p;
    dispatcher->explain(0, [&p](std::string) { p.set_value(); });
    p.get_future().wait();
    store->flush();
  }
  std::optional<std::string> assigned(store::Id id) {
    return store->get_conversation(id)->assigned_agent;
  }
  std::vector<store::Event> events(store::Id conversation, const std::string& kind) {
    std::vector<store::Event> out;
    for (const auto& e : store->transcript(conversation))
      if (e.event && e.event->kind == kind) out.push_back(*e.event);
    return out;
  }
};

const char* kCarol = R"({"id": "carol", "display_name": "Carol", "team": "billing",
  "skills": [{"skill": "sms", "level": 4}], "tiers": ["B", "C"],
  "capacity": {"sms": 2, "total": 3}})";

}  // namespace

TEST_CASE("admin endpoints refuse other roles with 403 naming the role that may", "[admin_api]") {
  Admin a;
  const auto create = a.call("POST", "/api/v1/admin/agents", "sue", kCarol);
  CHECK(create.status == 403);
  CHECK(create.body["message"] == "this needs the role admin");
  CHECK(a.call("POST", "/api/v1/admin/users", "pat", R"({"name":"x","role":"qa"})").status == 403);
  CHECK(a.call("DELETE", "/api/v1/admin/users/quinn", "sue").status == 403);
  CHECK(a.call("DELETE", "/api/v1/admin/agents/pat", "quinn").status == 403);
  const auto skills = a.call("GET", "/api/v1/skills", "quinn");
  CHECK(skills.status == 403);
  CHECK(skills.body["message"] == "this needs the role supervisor or admin");
  CHECK(a.call("GET", "/api/v1/teams", "quinn").status == 403);
  CHECK(a.call("GET", "/api/v1/teams", "pat").status == 200);  // agents pick transfer targets
  CHECK(a.call("GET", "/api/v1/skills", "pat").status == 403);
  CHECK(a.call("GET", "/api/v1/agents/pat", "pat").status == 403);
  CHECK(a.call("PATCH", "/api/v1/customers/1", "quinn", R"({"tier":"A"})").status == 403);
  CHECK(a.call("GET", "/api/v1/teams", "nobody").status == 401);
  CHECK(a.call("GET", "/api/v1/teams", "sue").status == 200);
  CHECK(a.call("GET", "/api/v1/agents/pat", "sue").status == 200);
}

TEST_CASE("an agent is created, read, replaced and refused twice with 409", "[admin_api]") {
  Admin a;
  const auto created = a.call("POST", "/api/v1/admin/agents", "ada", kCarol);
  REQUIRE(created.status == 201);
  CHECK(created.body["presence"] == "offline");
  const auto read = a.call("GET", "/api/v1/agents/carol", "sue");
  REQUIRE(read.status == 200);
  CHECK(read.body["display_name"] == "Carol");
  CHECK(read.body["team"] == "billing");
  CHECK(read.body["skills"] == json::parse(R"([{"skill":"sms","level":4}])"));
  CHECK(read.body["tiers"] == json::array({"B", "C"}));
  CHECK(read.body["capacity"] == json{{"sms", 2}, {"total", 3}});

  const auto again = a.call("POST", "/api/v1/admin/agents", "ada", kCarol);
  CHECK(again.status == 409);
  CHECK(again.body["field"] == "id");

  const auto replaced =
      a.call("PUT", "/api/v1/admin/agents/carol", "ada", R"({"team": "support"})");
  REQUIRE(replaced.status == 200);
  CHECK(replaced.body["team"] == "support");
  CHECK(replaced.body["skills"].empty());  // a replacement, not a merge
  CHECK(a.call("PUT", "/api/v1/admin/agents/nobody", "ada", "{}").status == 404);
  CHECK(a.call("GET", "/api/v1/agents/nobody", "ada").status == 404);
  CHECK(a.call("DELETE", "/api/v1/admin/agents/nobody", "ada").status == 404);
}

TEST_CASE("bad agent bodies are 400 naming the field", "[admin_api]") {
  Admin a;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"display_name": "no id"})", "id"},
      {R"({"id": "bad id!"})", "id"},
      {R"({"id": "x", "skills": [{"skill": "sms", "level": 6}]})", "skills[0].level"},
      {R"({"id": "x", "tiers": ["A", "Z"]})", "tiers[1]"},
      {R"({"id": "x", "capacity": {"default": 1}})", "capacity.default"},
      {R"({"id": "x", "capacity": {"": 1}})", "capacity."},
      {R"({"id": "x", "capacity": {"sms": -1}})", "capacity.sms"},
      {R"({"id": "x", "presence": "online"})", "presence"},
  };
  for (const auto& [body, field] : cases) {
    INFO(body);
    const auto r = a.call("POST", "/api/v1/admin/agents", "ada", body);
    CHECK(r.status == 400);
    CHECK(r.body["field"] == field);
  }
  CHECK(a.call("PUT", "/api/v1/admin/agents/pat", "ada", R"({"id": "pat"})").body["field"] == "id");
  // Any plugin's channel kind is a capacity key.
  CHECK(a.call("POST", "/api/v1/admin/agents", "ada", R"({"id": "faye", "capacity": {"fax": 1}})")
            .status == 201);
}

TEST_CASE(
    "an agent created through the API gets work at once, and a replaced profile routes by "
    "its new capacity",
    "[admin_api]") {
  Admin a;
  a.presence("pat", store::Presence::offline);
  REQUIRE(a.call("POST", "/api/v1/admin/agents", "ada", kCarol).status == 201);
  a.presence("carol", store::Presence::online);
  const auto first = a.writes("sms", "+14155550100");
  REQUIRE(eventually([&] { return a.assigned(first.conversation_id) == "carol"; }));

  // With sms capacity 0 carol gets no more sms work.
  REQUIRE(a.call("PUT", "/api/v1/admin/agents/carol", "ada",
                 R"({"skills": [{"skill": "email", "level": 3}], "capacity": {"sms": 0}})")
              .status == 200);
  const auto second = a.writes("sms", "+14155550101");
  a.settle();
  CHECK_FALSE(a.assigned(second.conversation_id));
}

TEST_CASE("removing an agent re-queues their conversations, and an agent with a user is 409",
          "[admin_api]") {
  Admin a;
  a.presence("pat", store::Presence::online);
  const auto conv = a.writes("sms", "+14155550102");
  REQUIRE(eventually([&] { return a.assigned(conv.conversation_id) == "pat"; }));

  const auto refused = a.call("DELETE", "/api/v1/admin/agents/pat", "ada");
  CHECK(refused.status == 409);
  CHECK(refused.body["message"].get<std::string>().find("user pat") != std::string::npos);

  REQUIRE(a.call("DELETE", "/api/v1/admin/users/pat", "ada").status == 200);
  const auto removed = a.call("DELETE", "/api/v1/admin/agents/pat", "ada");
  REQUIRE(removed.status == 200);
  CHECK(removed.body["requeued"] == json::array({conv.conversation_id}));
  a.settle();
  const auto c = a.store->get_conversation(conv.conversation_id);
  CHECK(c->status == store::ConversationStatus::queued);
  CHECK_FALSE(c->assigned_agent);
  const auto requeued = a.events(conv.conversation_id, "conversation.requeued");
  REQUIRE(requeued.size() == 1);
  CHECK(requeued[0].actor == "user:ada");
  CHECK(requeued[0].data_json.find("removed") != std::string::npos);
  CHECK_FALSE(a.store->get_agent("pat"));
  CHECK(a.call("GET", "/api/v1/agents/pat", "ada").status == 404);
}

TEST_CASE("a user created through the API gets a token that authenticates until revoked",
          "[admin_api]") {
  Admin a;
  const auto created =
      a.call("POST", "/api/v1/admin/users", "ada", R"({"name": "sam", "role": "supervisor"})");
  REQUIRE(created.status == 201);
  const std::string token = created.body["token"];
  CHECK(token.size() == 64);
  CHECK(created.body["agent_id"].is_null());
  CHECK(a.call("GET", "/api/v1/teams", "token:" + token).status == 200);
  // Only the digest is stored.
  CHECK(a.store->credential_by_token(sha256_hex(token))->user.name == "sam");
  const auto other =
      a.call("POST", "/api/v1/admin/users", "ada", R"({"name": "tom", "role": "supervisor"})");
  CHECK(other.body["token"] != token);

  CHECK(a.call("POST", "/api/v1/admin/users", "ada", R"({"name": "sam", "role": "qa"})").status ==
        409);
  const auto no_agent =
      a.call("POST", "/api/v1/admin/users", "ada", R"({"name": "al", "role": "agent"})");
  CHECK(no_agent.status == 400);
  CHECK(no_agent.body["field"] == "agent_id");
  const auto unknown_agent = a.call("POST", "/api/v1/admin/users", "ada",
                                    R"({"name": "al", "role": "agent", "agent_id": "zed"})");
  CHECK(unknown_agent.status == 400);
  CHECK(unknown_agent.body["field"] == "agent_id");
  CHECK(a.call("POST", "/api/v1/admin/users", "ada", R"({"name": "al", "role": "boss"})")
            .body["field"] == "role");

  REQUIRE(a.call("DELETE", "/api/v1/admin/users/sam", "ada").status == 200);
  CHECK(a.call("GET", "/api/v1/teams", "token:" + token).status == 401);
  CHECK(a.call("DELETE", "/api/v1/admin/users/sam", "ada").status == 404);
  CHECK(a.call("DELETE", "/api/v1/admin/users/ada", "ada").status == 409);
}

TEST_CASE("a user's role changes through the API, keeps their token and is announced",
          "[admin_api]") {
  Admin a;
  std::vector<std::string> announced;
  a.admin_api->on_user_changed([&announced](const std::string& name, std::function<void()> then) {
    announced.push_back(name);
    then();
  });
  const auto changed =
      a.call("PUT", "/api/v1/admin/users/sue", "ada", R"({"role": "agent", "agent_id": "pat"})");
  REQUIRE(changed.status == 200);
  CHECK(changed.body ==
        json({{"name", "sue"}, {"role", "agent"}, {"roles", {"agent"}}, {"agent_id", "pat"}}));
  const auto sue = a.store->credential_by_token(sha256_hex("sue-token"));
  REQUIRE(sue);
  CHECK(sue->user.roles == std::vector<store::Role>{store::Role::agent});
  CHECK(sue->user.agent_id == "pat");
  CHECK(a.call("GET", "/api/v1/skills", "sue").status == 403);  // the new role, at once

  CHECK(a.call("PUT", "/api/v1/admin/users/nobody", "ada", R"({"role": "qa"})").status == 404);
  CHECK(a.call("PUT", "/api/v1/admin/users/ada", "ada", R"({"role": "qa"})").status == 409);
  CHECK(a.call("PUT", "/api/v1/admin/users/sue", "ada", R"({"role": "agent"})").body["field"] ==
        "agent_id");
  CHECK(a.call("PUT", "/api/v1/admin/users/sue", "ada", R"({"name": "x", "role": "qa"})")
            .body["field"] == "name");
  CHECK(a.call("PUT", "/api/v1/admin/users/sue", "sue", R"({"role": "admin"})").status == 403);

  REQUIRE(a.call("DELETE", "/api/v1/admin/users/quinn", "ada").status == 200);
  CHECK(announced == std::vector<std::string>{"sue", "quinn"});
}

TEST_CASE("teams list members with live presence and the policy's overflow, skills count levels",
          "[admin_api]") {
  Admin a(R"({"teams": {"support": {"overflow_to": ["billing"], "overflow_after": "5m"}}})");
  REQUIRE(a.call("POST", "/api/v1/admin/agents", "ada", kCarol).status == 201);
  a.presence("pat", store::Presence::online);
  const auto teams = a.call("GET", "/api/v1/teams", "sue");
  REQUIRE(teams.status == 200);
  REQUIRE(teams.body["teams"].size() == 2);
  const auto& billing = teams.body["teams"][0];
  CHECK(billing["name"] == "billing");
  CHECK(billing["members"] == json::parse(R"([{"id":"carol","display_name":"Carol",
                                              "presence":"offline"}])"));
  const auto& support = teams.body["teams"][1];
  CHECK(support["members"][0]["presence"] == "online");
  CHECK(support["overflow_to"] == json::array({"billing"}));
  CHECK(support["overflow_after_ms"] == 300000);

  const auto skills = a.call("GET", "/api/v1/skills", "ada");
  REQUIRE(skills.status == 200);
  CHECK(skills.body["skills"] ==
        json::parse(R"([{"skill":"email","agents":1,"by_level":{"1":0,"2":1,"3":0,"4":0,"5":0}},
                        {"skill":"sms","agents":2,"by_level":{"1":0,"2":1,"3":0,"4":1,"5":0}}])"));
}

TEST_CASE("a customer is read by staff and by the agent working for them only", "[admin_api]") {
  Admin a;
  a.presence("pat", store::Presence::online);
  const auto mine = a.writes("sms", "+14155550103");
  REQUIRE(eventually([&] { return a.assigned(mine.conversation_id) == "pat"; }));
  a.presence("pat", store::Presence::busy);
  const auto other = a.writes("sms", "+14155550104");
  const auto path = [](store::Id id) { return "/api/v1/customers/" + std::to_string(id); };

  const auto read = a.call("GET", path(mine.customer_id), "pat");
  REQUIRE(read.status == 200);
  CHECK(read.body["tier"] == "C");
  CHECK(read.body["tier_source"] == "initial");
  CHECK(read.body["account_team"] == "");
  CHECK(read.body["account_manager"].is_null());
  CHECK(read.body["identities"][0]["address"] == "+14155550103");
  CHECK(a.call("GET", path(other.customer_id), "pat").status == 403);
  CHECK(a.call("GET", path(other.customer_id), "quinn").status == 200);
  CHECK(a.call("GET", path(9999), "sue").status == 404);
  CHECK(a.call("GET", "/api/v1/customers/abc", "sue").body["field"] == "id");
}

TEST_CASE("a customer's tier change reaches their open conversations with an event",
          "[admin_api]") {
  Admin a;
  const auto conv = a.writes("sms", "+14155550105");
  const auto path = "/api/v1/customers/" + std::to_string(conv.customer_id);
  const auto r = a.call("PATCH", path, "sue",
                        R"({"tier": "B", "account_manager": "pat", "display_name": "Kim",
                            "attributes": {"plan": "gold"}})");
  REQUIRE(r.status == 200);
  CHECK(r.body["tier"] == "B");
  CHECK(r.body["tier_source"] == "manual");
  CHECK(r.body["account_manager"] == "pat");
  CHECK(r.body["display_name"] == "Kim");
  CHECK(r.body["attributes"] == json{{"plan", "gold"}});
  CHECK(a.store->get_conversation(conv.conversation_id)->tier == store::Tier::B);
  const auto changed = a.events(conv.conversation_id, "customer.tier_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].actor == "user:sue");
  const auto data = json::parse(changed[0].data_json);
  CHECK(data["old_tier"] == "C");
  CHECK(data["new_tier"] == "B");
  CHECK(data["new_account_manager"] == "pat");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"tier": "Z"})", "tier"},
      {R"({"account_manager": "nobody"})", "account_manager"},
      {R"({"attributes": [1]})", "attributes"},
      {R"({"attributes": null})", "attributes"},
      {R"({"owner": "x"})", "owner"},
  };
  for (const auto& [body, field] : bad) {
    INFO(body);
    const auto e = a.call("PATCH", path, "sue", body);
    CHECK(e.status == 400);
    CHECK(e.body["field"] == field);
  }
  const std::string big = R"({"attributes": {"notes": ")" + std::string(20000, 'x') + "\"}}";
  const auto too_big = a.call("PATCH", path, "ada", big);
  CHECK(too_big.status == 413);
  CHECK(too_big.body["field"] == "attributes");
  CHECK(a.call("PATCH", path, "sue", "{}").status == 400);
  CHECK(a.call("PATCH", "/api/v1/customers/9999", "sue", R"({"tier":"A"})").status == 404);
}

TEST_CASE("a customer upgraded to A with an account team is offered to that team first",
          "[admin_api]") {
  Admin a;
  store::Agent kim;
  kim.id = kim.display_name = "kim";
  kim.team = "key_accounts";
  kim.skills = {{"sms", 2}};
  kim.capacity = {{"sms", 5}};
  committed<store::Nothing>([&](auto done) { a.store->upsert_agent(kim, done); });
  a.presence("pat", store::Presence::offline);
  const auto vip = a.writes("sms", "+14155550106");
  a.settle();
  REQUIRE_FALSE(a.assigned(vip.conversation_id));
  REQUIRE(a.call("PATCH", "/api/v1/customers/" + std::to_string(vip.customer_id), "sue",
                 R"({"tier": "A", "account_team": "key_accounts"})")
              .status == 200);

  // The pool agent comes first but the A customer waits for their dedicated group...
  a.presence("pat", store::Presence::online);
  a.settle();
  CHECK_FALSE(a.assigned(vip.conversation_id));
  // ...while an ordinary customer goes to the pool at once.
  const auto ordinary = a.writes("sms", "+14155550107");
  REQUIRE(eventually([&] { return a.assigned(ordinary.conversation_id) == "pat"; }));
  a.presence("kim", store::Presence::online);
  REQUIRE(eventually([&] { return a.assigned(vip.conversation_id) == "kim"; }));
  const auto assigned = a.events(vip.conversation_id, "conversation.assigned");
  REQUIRE_FALSE(assigned.empty());
  CHECK(assigned.back().data_json.find("dedicated group key_accounts") != std::string::npos);
}

TEST_CASE("tier rules classify a new customer by e-mail domain and by attributes set later",
          "[admin_api]") {
  Admin a;
  config::TierRule by_domain;
  by_domain.email_domain = "bigcorp.com";
  by_domain.tier = store::Tier::A;
  by_domain.account_team = "key_accounts";
  config::TierRule by_plan;
  by_plan.attribute = "plan";
  by_plan.equals = "enterprise";
  by_plan.tier = store::Tier::S;
  a.dispatcher->set_tier_rules({by_domain, by_plan});

  const auto big = a.writes("email", "Kim@BigCorp.com");
  REQUIRE(
      eventually([&] { return a.store->get_customer(big.customer_id)->tier == store::Tier::A; }));
  const auto customer = a.store->get_customer(big.customer_id);
  CHECK(customer->account_team == "key_accounts");
  CHECK(customer->tier_source == store::TierSource::rule);
  CHECK(a.store->get_conversation(big.conversation_id)->tier == store::Tier::A);
  CHECK(a.events(big.conversation_id, "customer.tier_changed")[0].actor == "rule");

  const auto small = a.writes("email", "joe@example.org");
  a.settle();
  CHECK(a.store->get_customer(small.customer_id)->tier == store::Tier::C);
  const auto r = a.call("PATCH", "/api/v1/customers/" + std::to_string(small.customer_id), "sue",
                        R"({"attributes": {"plan": "enterprise"}})");
  REQUIRE(r.status == 200);
  CHECK(r.body["tier"] == "S");
  CHECK(r.body["tier_source"] == "rule");
  CHECK(a.store->get_conversation(small.conversation_id)->tier == store::Tier::S);
}
