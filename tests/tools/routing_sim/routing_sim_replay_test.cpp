// routing-sim --from-db: a real gateway database (written through og_store) replayed through
// the real engine, by the library and by the real binary.
#include <catch2/catch.hpp>

#include <store/sqlite_db.hpp>

#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

#include "history_db.hpp"
#include "report.hpp"
#include "roster_change.hpp"
#include "sample_history.hpp"
#include "simulation.hpp"

using namespace routing_sim;
namespace fs = std::filesystem;
namespace rt = omnigate::routing;

namespace {

// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("routing_sim_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// The sample history once per test binary run: writing it takes a few hundred commits.
const std::string& sample_db() {
  static TempDir dir;
  static const std::string path = [] {
    const auto db = (dir.path / "gateway.sqlite").string();
    sample::write_sample_history(db, (dir.path / "attachments").string());
    return db;
  }();
  return path;
}

Replay sample_replay() {
  return replay_from_history(read_history(sample_db()).rows, {sample::kFrom, sample::kTo});
}

struct RunOutput {
  int exit_code = -1;
  std::string text;  // stdout and stderr
};

RunOutput run_routing_sim(const std::string& args) {
  RunOutput out;
  FILE* pipe = ::popen((std::string(ROUTING_SIM_BIN) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out.text += buf.data();
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

struct Totals {
  int total = 0, met = 0, answered = 0;
  double wait_ms = 0;
};

Totals totals(const SimResult& r) {
  Totals t;
  for (const auto& o : r.outcomes) {
    ++t.total;
    if (o.first_response >= 0 && o.first_response <= o.first_response_due) ++t.met;
    if (o.answered >= 0) {
      ++t.answered;
      t.wait_ms += static_cast<double>(o.answered - o.arrived);
    }
  }
  return t;
}

}  // namespace

TEST_CASE("the replay sees exactly the contacts that arrived in the window, per tier") {
  const Replay replay = sample_replay();
  CHECK(replay.summary.contacts == sample::kContacts);
  CHECK(replay.day.arrivals.size() == static_cast<std::size_t>(sample::kContacts));
  CHECK(replay.summary.per_tier == sample::kPerTier);
  for (const auto& a : replay.day.arrivals) {
    CHECK(a.spec.arrived_at >= sample::kFrom);
    CHECK(a.spec.arrived_at < sample::kTo);
  }
  CHECK(replay.day.start == sample::kFrom);
  CHECK(replay.day.end == sample::kTo);
}

TEST_CASE("without a window the replay takes the whole history") {
  const auto rows = read_history(sample_db()).rows;
  // The customers' first contacts a week before, the window's and the two after it.
  CHECK(replay_from_history(rows, {}).summary.contacts == 10 + sample::kContacts + 2);
}

TEST_CASE("handle time, response delay and abandonment are taken from the recorded events") {
  const Replay replay = sample_replay();
  const auto& s = replay.summary;
  CHECK(s.resolved == sample::kContacts - 3);
  CHECK(s.abandoned == 1);
  CHECK(s.open_at_end == 1);
  CHECK(s.never_assigned == 1);
  const auto& arrivals = replay.day.arrivals;
  CHECK(arrivals[0].handle_ms == Approx(sample::kHandleMs));
  CHECK(arrivals[0].reply_ms == Approx(sample::kReplyMs));
  CHECK(arrivals[0].spec.channel == rt::ChannelKind::email);
  // Exactly the skills the conversation carries (none): the channel adds none, as in the gateway.
  CHECK(arrivals[0].spec.skills.empty());
  CHECK(arrivals[sample::kAbandoned].patience_ms == Approx(sample::kAbandonAfterMs));
  // Never resolved: held for as long as history shows, more than the resolved ones.
  CHECK(arrivals[sample::kOpenAtEnd].handle_ms > sample::kHandleMs);
  // Never assigned: the mean handle time of the channel's resolved contacts.
  CHECK(arrivals[sample::kNeverAssigned].handle_ms == Approx(sample::kHandleMs));
}

TEST_CASE("a returning customer's sticky agent is their last agent before the contact") {
  const Replay replay = sample_replay();
  // Customer 3's contacts: #3 went to bob, so #13 arrives with bob as the previous agent.
  CHECK(!replay.day.arrivals[3].spec.previous_agent);
  REQUIRE(replay.day.arrivals[13].spec.previous_agent);
  CHECK(*replay.day.arrivals[13].spec.previous_agent == "bob");
}

TEST_CASE("the roster and its presence come from the agents table and the presence audit") {
  const Replay replay = sample_replay();
  REQUIRE(replay.day.agents.size() == 3);
  const auto& alice = replay.day.agents[0];
  CHECK(alice.id == "alice");
  CHECK(alice.team == "desk_north");
  CHECK(alice.capacity.at(rt::ChannelKind::email) == 1);
  int bob_offline = 0, online_at_start = 0;
  for (const auto& p : replay.day.presence) {
    if (p.at == sample::kFrom && p.presence == rt::Presence::online) ++online_at_start;
    if (p.agent == "bob" && p.presence == rt::Presence::offline && p.at == sample::kBobOffline)
      ++bob_offline;
  }
  CHECK(online_at_start == 3);  // alice and bob audited; carol online since before the window
  CHECK(bob_offline == 1);
}

TEST_CASE("two more agents under overload answer sooner and meet more targets") {
  const Replay replay = sample_replay();
  const auto policy = rt::Policy::defaults();
  const SimResult as_staffed = simulate(replay.day, policy, 5000);
  Day what_if = replay.day;
  add_agents(what_if, parse_add_agents("2:desk_north"));
  const SimResult more_staff = simulate(what_if, policy, 5000);
  const Totals before = totals(as_staffed), after = totals(more_staff);
  CHECK(before.total == sample::kContacts);
  CHECK(after.total == sample::kContacts);
  CHECK(after.met > before.met);
  CHECK(after.answered >= before.answered);
  CHECK(after.wait_ms / after.answered < before.wait_ms / before.answered);
  CHECK(more_staff.agents.size() == 5);
}

TEST_CASE("routing-sim --from-db prints the replay and the what-if side by side") {
  const auto out =
      run_routing_sim("--from-db " + sample_db() +
                      " --from 2026-11-16T08:00Z --to 2026-11-16T12:00Z --add-agents 2:desk_north");
  INFO(out.text);
  CHECK(out.exit_code == 0);
  CHECK(out.text.find("60 contacts (S 6, A 12, B 18, C 24), 3 agents") != std::string::npos);
  CHECK(out.text.find("defaults +2 desk_north") != std::string::npos);
}

TEST_CASE("routing-sim refuses a file that is not an omnigate database") {
  TempDir dir;
  SECTION("not a database at all") {
    const auto path = (dir.path / "notes.sqlite").string();
    std::ofstream(path) << std::string(4096, 'x');
    const auto out = run_routing_sim("--from-db " + path);
    INFO(out.text);
    CHECK(out.exit_code == 1);
    CHECK(out.text.find("cannot read " + path + " as an omnigate database") != std::string::npos);
  }
  SECTION("a database of something else") {
    const auto path = (dir.path / "other.sqlite").string();
    omnigate::store::sqlite::Connection(
        path, omnigate::store::sqlite::Connection::Mode::read_write_create)
        .exec("CREATE TABLE things (id INTEGER)");
    const auto out = run_routing_sim("--from-db " + path);
    INFO(out.text);
    CHECK(out.exit_code == 1);
    CHECK(out.text.find("is not an omnigate database") != std::string::npos);
  }
  SECTION("a newer schema than this build knows") {
    const auto path = (dir.path / "future.sqlite").string();
    omnigate::store::sqlite::Connection(
        path, omnigate::store::sqlite::Connection::Mode::read_write_create)
        .exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER);"
            "INSERT INTO schema_migrations VALUES (999, 0)");
    const auto out = run_routing_sim("--from-db " + path);
    INFO(out.text);
    CHECK(out.exit_code == 1);
    CHECK(out.text.find("schema version 999") != std::string::npos);
  }
  SECTION("a missing file") {
    const auto out = run_routing_sim("--from-db " + (dir.path / "missing.sqlite").string());
    INFO(out.text);
    CHECK(out.exit_code == 1);
    CHECK(out.text.find("cannot open database") != std::string::npos);
  }
}

TEST_CASE("routing-sim names a bad --add-agents or --from") {
  CHECK(run_routing_sim("--from-db x --add-agents two").exit_code == 2);
  const auto out = run_routing_sim("--from-db x --from yesterday");
  CHECK(out.exit_code == 2);
  CHECK(out.text.find("--from needs a UTC time") != std::string::npos);
}
