// How routing-sim derives a replay from a gateway's history rows, and the what-if options.
#include <catch2/catch.hpp>

#include "history.hpp"
#include "roster_change.hpp"
#include "utc_time.hpp"

using namespace routing_sim;
namespace rt = omnigate::routing;
namespace st = omnigate::store;

namespace {

constexpr UnixMs kMin = 60000;
constexpr UnixMs kT0 = 1795392000000LL;  // 2026-11-23 00:00 UTC

ConversationRow conversation(st::Id id, st::Id customer, std::string channel = "email") {
  ConversationRow c;
  c.id = id;
  c.customer_id = customer;
  c.channel_kind = std::move(channel);
  c.tier = st::Tier::B;
  c.priority = 2;
  return c;
}

EventRow event(st::Id conversation, std::string kind, UnixMs at, std::string agent = "") {
  return {conversation, std::move(kind), "system",
          agent.empty() ? "{}" : "{\"agent\":\"" + agent + "\"}", at};
}

st::Agent agent(std::string id, st::Presence presence = st::Presence::offline,
                UnixMs presence_since = kT0) {
  st::Agent a;
  a.id = std::move(id);
  a.team = "desk";
  a.skills = {{"email", 3}};
  a.presence = presence;
  a.presence_since = presence_since;
  return a;
}

}  // namespace

TEST_CASE("a conversation reopened after resolution is a second contact") {
  HistoryRows rows;
  rows.conversations = {conversation(1, 7)};
  rows.events = {event(1, "conversation.queued", kT0),
                 event(1, "conversation.assigned", kT0 + kMin, "ann"),
                 event(1, "conversation.resolved", kT0 + 11 * kMin),
                 event(1, "conversation.reopened", kT0 + 60 * kMin),
                 event(1, "conversation.assigned", kT0 + 65 * kMin, "bo"),
                 event(1, "conversation.resolved", kT0 + 70 * kMin)};
  rows.last_activity = kT0 + 70 * kMin;
  const auto replay = replay_from_history(rows, {});
  REQUIRE(replay.day.arrivals.size() == 2);
  CHECK(replay.day.arrivals[0].handle_ms == Approx(10 * kMin));
  CHECK(replay.day.arrivals[1].spec.arrived_at == kT0 + 60 * kMin);
  CHECK(replay.day.arrivals[1].handle_ms == Approx(5 * kMin));
  // The reopened contact's sticky agent is the one who had the first.
  CHECK(replay.day.arrivals[1].spec.previous_agent == std::optional<std::string>("ann"));
  CHECK(replay.day.arrivals[1].spec.tier == rt::Tier::B);
  CHECK(replay.day.arrivals[1].spec.priority == 2);
}

TEST_CASE(
    "a re-queue during a contact does not start a new one, and handle time sums the stretches") {
  HistoryRows rows;
  rows.conversations = {conversation(1, 7, "webchat")};
  rows.events = {event(1, "conversation.queued", kT0),
                 event(1, "conversation.assigned", kT0 + kMin, "ann"),
                 event(1, "conversation.requeued", kT0 + 5 * kMin),
                 event(1, "conversation.assigned", kT0 + 20 * kMin, "bo"),
                 event(1, "message.sent", kT0 + 22 * kMin),
                 event(1, "conversation.closed", kT0 + 30 * kMin)};
  rows.last_activity = kT0 + 30 * kMin;
  const auto replay = replay_from_history(rows, {});
  REQUIRE(replay.day.arrivals.size() == 1);
  const auto& a = replay.day.arrivals[0];
  CHECK(a.handle_ms == Approx(4 * kMin + 10 * kMin));
  CHECK(a.reply_ms == Approx(21 * kMin));  // from the first pick-up
  // An answered live customer waited a minute: patience is at least the default.
  CHECK(a.patience_ms == Approx(ContactTimes{}.patience_minutes * kMin));
  CHECK(replay.summary.resolved == 1);
}

TEST_CASE("contacts the gateway's engine would not route are left out and counted") {
  HistoryRows rows;
  // Any channel kind is routed ("fax" too); one without a kind is not.
  rows.conversations = {conversation(1, 7, ""), conversation(2, 8), conversation(3, 9, "fax")};
  rows.conversations[1].skills = {{"", 3}};  // a skill without a name
  rows.events = {event(1, "conversation.queued", kT0), event(2, "conversation.queued", kT0),
                 event(3, "conversation.queued", kT0)};
  rows.agents = {agent("ann")};
  rows.agents[0].skills = {{"email", 9}};
  rows.last_activity = kT0 + kMin;
  const auto replay = replay_from_history(rows, {});
  REQUIRE(replay.day.arrivals.size() == 1);
  CHECK(replay.day.arrivals[0].spec.channel == rt::ChannelKind("fax"));
  CHECK(replay.summary.unroutable == 2);
  CHECK(replay.summary.unroutable_agents == 1);
  CHECK(replay.day.agents.empty());
}

TEST_CASE("presence at the window's start: audited, else stored if older, else online") {
  HistoryRows rows;
  rows.agents = {agent("audited"), agent("stored_away", st::Presence::away, kT0 - 60 * kMin),
                 agent("unknown", st::Presence::offline, kT0 + 30 * kMin)};
  rows.presence = {{"agent:audited", "{\"presence\":\"busy\"}", kT0 - 10 * kMin},
                   {"agent:audited", "{\"presence\":\"offline\"}", kT0 + 20 * kMin},
                   {"agent:audited", "not json", kT0 + 25 * kMin}};
  rows.last_activity = kT0 + 60 * kMin;
  const auto replay = replay_from_history(rows, {kT0, kT0 + 60 * kMin});
  std::map<std::string, std::vector<std::pair<UnixMs, rt::Presence>>> seen;
  for (const auto& p : replay.day.presence) seen[p.agent].emplace_back(p.at, p.presence);
  using P = std::vector<std::pair<UnixMs, rt::Presence>>;
  CHECK(seen["audited"] == P{{kT0, rt::Presence::busy}, {kT0 + 20 * kMin, rt::Presence::offline}});
  CHECK(seen["stored_away"] == P{{kT0, rt::Presence::away}});
  CHECK(seen["unknown"] == P{{kT0, rt::Presence::online}});
  CHECK(replay.summary.agents_without_presence == 1);
}

TEST_CASE("added agents copy the team's agents unless tiers and skills are given") {
  Day day;
  day.start = kT0;
  rt::AgentSpec north;
  north.id = "ann";
  north.team = "north";
  north.skills = {{"email", 4}};
  north.capacity = {{rt::ChannelKind::email, 2}};
  day.agents = {north};
  add_agents(day, parse_add_agents("2:north:B"));
  REQUIRE(day.agents.size() == 3);
  CHECK(day.agents[1].id != day.agents[2].id);
  CHECK(day.agents[1].team == "north");
  CHECK(day.agents[1].skills.size() == 1);
  CHECK(day.agents[1].capacity.at(rt::ChannelKind::email) == 2);
  CHECK(day.agents[1].tiers_served == std::vector<rt::Tier>{rt::Tier::B});
  CHECK(day.presence.size() == 2);  // both online from the start

  add_agents(day, parse_add_agents("1:south:SA:email=2,voice=5"));
  CHECK(day.agents.back().team == "south");
  CHECK(day.agents.back().skills.size() == 2);
  CHECK(day.agents.back().tiers_served.size() == 2);

  CHECK_THROWS_AS(add_agents(day, parse_add_agents("1:nobody")), RosterChangeError);
  CHECK_THROWS_AS(parse_add_agents("0"), RosterChangeError);
  CHECK_THROWS_AS(parse_add_agents("2:north:X"), RosterChangeError);
  CHECK_THROWS_AS(parse_add_agents("2:north:B:email"), RosterChangeError);
  CHECK_THROWS_AS(parse_add_agents("2:north:B:email=6"), RosterChangeError);
  CHECK_THROWS_AS(parse_add_agents("2:a:B:email=1:extra"), RosterChangeError);
}

TEST_CASE("times on the command line are UTC") {
  CHECK(parse_utc_time("2026-11-23") == kT0);
  CHECK(parse_utc_time("2026-11-23T08:30Z") == kT0 + 510 * kMin);
  CHECK(parse_utc_time("2026-11-23T08:30:15") == kT0 + 510 * kMin + 15000);
  CHECK(parse_utc_time("1795392000000") == kT0);
  CHECK(!parse_utc_time("2026-02-30"));
  CHECK(!parse_utc_time("2026-11-23T24:00"));
  CHECK(!parse_utc_time("tomorrow"));
  CHECK(format_utc_time(kT0 + 510 * kMin + 15000) == "2026-11-23 08:30:15 UTC");
}
