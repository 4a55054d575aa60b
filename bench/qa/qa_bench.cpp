// QA benchmark (bench/README.md, "qa"): a reviewer's sample of 1,000 conversations and their
// transcripts, read from a store of 1,000,000 conversations and 10,000,000 messages, beside the
// baseline of plain indexed SQLite reads of the same rows, in the same run.
//
// omnigate: Store::qa_conversations (the week's conversations with the facts sampling filters on)
//   → qa::draw_sample (5 per agent) → Store::transcript for each drawn conversation, then the
//   transcript's JSON as GET /conversations/{id}/transcript sends it.
// baseline: on its own connection, the week's conversation rows by the created_at index and each
//   one's events by the conversation index (the same facts, folded in C++), then for each drawn
//   conversation its events, messages and attachments by their indexes, each column copied out.
//
//   bench-qa DB_PATH [ROUNDS] [CONVERSATIONS]
// prints a RESULT line of JSON; run.sh compares it with the targets.
#include "dataset.hpp"

#include "api/json_views.hpp"
#include "qa/draw_sample.hpp"
#include "store/store.hpp"

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using namespace omnigate;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

constexpr int kFirstDay = 50;  // the sampled week: days 50..56 of the dataset
constexpr int kPerAgent = 5;   // 200 agents × 5 = 1,000 conversations

struct Timings {
  double sample_ms = 0;
  double transcripts_ms = 0;  // store reads
  double json_ms = 0;         // omnigate only: rendering what the API sends
  std::size_t rows = 0;       // transcript entries (omnigate) or rows read (baseline)
};

// ---------------------------------------------------------------- omnigate

Timings run_omnigate(store::Store& st, std::vector<store::Id>& drawn_ids) {
  Timings t;
  auto start = Clock::now();
  store::QaConversationFilter filter;
  filter.from = bench_qa::day_start_ms(kFirstDay);
  filter.to = bench_qa::day_start_ms(kFirstDay + 7);
  qa::SamplingStrategy strategy;
  strategy.kind = qa::SamplingStrategy::Kind::per_agent;
  strategy.per_agent = kPerAgent;
  const auto drawn = qa::draw_sample(strategy, st.qa_conversations(filter), 20261203);
  t.sample_ms = ms_since(start);

  drawn_ids.clear();
  for (const auto& item : drawn.items) drawn_ids.push_back(item.conversation.id);
  std::vector<std::vector<store::TranscriptEntry>> transcripts;
  transcripts.reserve(drawn_ids.size());
  start = Clock::now();
  for (const store::Id id : drawn_ids) transcripts.push_back(st.transcript(id));
  t.transcripts_ms = ms_since(start);

  start = Clock::now();
  std::size_t bytes = 0;
  for (const auto& entries : transcripts) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : entries) list.push_back(api::transcript_entry_json(e));
    bytes += list.dump().size();
    t.rows += entries.size();
  }
  t.json_ms = ms_since(start);
  if (bytes == 0) throw std::runtime_error("the sample's transcripts are empty");
  return t;
}

// ---------------------------------------------------------------- baseline

class Baseline {
 public:
  explicit Baseline(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("baseline: cannot open " + path);
    candidates_ = prepare(
        "SELECT id, COALESCE(assigned_agent, previous_agent, ''), channel_kind, tier, priority, "
        "created_at, first_response_at, first_response_due FROM conversations "
        "WHERE created_at >= ? AND created_at < ?");
    agents_ = prepare("SELECT id, team FROM agents");
    facts_ = prepare("SELECT kind, created_at FROM events WHERE conversation_id = ?");
    events_ = prepare(
        "SELECT id, kind, actor, data_json, message_id, created_at FROM events "
        "WHERE conversation_id = ? ORDER BY id");
    messages_ = prepare(
        "SELECT id, direction, author_kind, author_id, body_text, body_html, subject, "
        "provider_message_id, delivery_state, error_code, error_text, malformed, created_at, "
        "metadata_json FROM messages WHERE conversation_id = ?");
    attachments_ = prepare(
        "SELECT a.message_id, a.id, a.filename, a.content_type, a.sha256, a.url, a.size, "
        "a.content_id, a.disposition FROM attachments a JOIN messages m ON m.id = a.message_id "
        "WHERE m.conversation_id = ?");
  }
  ~Baseline() {
    for (sqlite3_stmt* s : {candidates_, agents_, facts_, events_, messages_, attachments_})
      sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  // The same rows sampling reads (the week's conversations, their agents' teams, the events the
  // facts come from), then the drawn conversations' transcripts.
  Timings run(const std::vector<store::Id>& drawn_ids) {
    Timings t;
    auto start = Clock::now();
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    std::unordered_map<std::string, std::string> teams;
    while (sqlite3_step(agents_) == SQLITE_ROW) teams[text(agents_, 0)] = text(agents_, 1);
    sqlite3_reset(agents_);
    struct Candidate {
      std::int64_t id;
      std::string agent, team, channel, tier;
      std::int64_t priority, created_at, first_response_at, first_response_due;
      std::int64_t resolved_at = 0;
      bool breached = false, escalated = false, transferred = false;
    };
    std::vector<Candidate> candidates;
    sqlite3_bind_int64(candidates_, 1, bench_qa::day_start_ms(kFirstDay));
    sqlite3_bind_int64(candidates_, 2, bench_qa::day_start_ms(kFirstDay + 7));
    while (sqlite3_step(candidates_) == SQLITE_ROW) {
      Candidate c{sqlite3_column_int64(candidates_, 0),
                  text(candidates_, 1),
                  "",
                  text(candidates_, 2),
                  text(candidates_, 3),
                  sqlite3_column_int64(candidates_, 4),
                  sqlite3_column_int64(candidates_, 5),
                  sqlite3_column_int64(candidates_, 6),
                  sqlite3_column_int64(candidates_, 7)};
      c.team = teams[c.agent];
      candidates.push_back(std::move(c));
    }
    sqlite3_reset(candidates_);
    for (auto& c : candidates) {
      sqlite3_bind_int64(facts_, 1, c.id);
      while (sqlite3_step(facts_) == SQLITE_ROW) {
        const std::string kind = text(facts_, 0);
        if (kind == "conversation.resolved" && c.resolved_at == 0)
          c.resolved_at = sqlite3_column_int64(facts_, 1);
        c.breached |= kind.rfind("sla.", 0) == 0 && kind.ends_with("_breach");
        c.escalated |= kind == "sla.escalation" || kind == "sla.complaint_escalation";
        c.transferred |= kind == "conversation.transferred";
        ++t.rows;
      }
      sqlite3_reset(facts_);
    }
    t.sample_ms = ms_since(start);
    if (candidates.empty()) throw std::runtime_error("baseline: no candidates");

    start = Clock::now();
    std::vector<std::vector<std::string>> rows;
    for (const store::Id id : drawn_ids) {
      for (sqlite3_stmt* s : {events_, messages_, attachments_}) {
        sqlite3_bind_int64(s, 1, id);
        const int columns = sqlite3_column_count(s);
        while (sqlite3_step(s) == SQLITE_ROW) {
          std::vector<std::string> row;
          row.reserve(columns);
          for (int col = 0; col < columns; ++col) row.push_back(text(s, col));
          rows.push_back(std::move(row));
        }
        sqlite3_reset(s);
      }
    }
    t.transcripts_ms = ms_since(start);
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    t.rows += rows.size();
    return t;
  }

 private:
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("baseline: ") + sqlite3_errmsg(db_));
    return s;
  }
  static std::string text(sqlite3_stmt* s, int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : "";
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *candidates_ = nullptr, *agents_ = nullptr, *facts_ = nullptr, *events_ = nullptr,
               *messages_ = nullptr, *attachments_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB_PATH [ROUNDS] [CONVERSATIONS]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  bench_qa::DatasetShape shape;
  if (argc > 3) shape.conversations = std::atoll(argv[3]);
  try {
    bench_qa::ensure_dataset(path, shape);
    const auto attachments = std::filesystem::path(path).replace_extension("attachments");
    store::SqliteOptions options;
    options.path = path;
    options.attachments_dir = attachments.string();
    auto st = store::open_sqlite_store(options);
    Baseline baseline(path);

    std::vector<store::Id> ids;
    run_omnigate(*st, ids);  // warm: the page cache and both connections' statements
    baseline.run(ids);
    std::map<std::string, std::vector<double>> series;
    std::size_t entries = 0;
    for (int r = 0; r < rounds; ++r) {
      const Timings ours = run_omnigate(*st, ids);
      const Timings base = baseline.run(ids);
      entries = ours.rows;
      series["sample_ms"].push_back(ours.sample_ms);
      series["transcripts_ms"].push_back(ours.transcripts_ms);
      series["json_ms"].push_back(ours.json_ms);
      series["baseline_sample_ms"].push_back(base.sample_ms);
      series["baseline_transcripts_ms"].push_back(base.transcripts_ms);
      series["ratio"].push_back((base.sample_ms + base.transcripts_ms) /
                                (ours.sample_ms + ours.transcripts_ms));
      std::fprintf(stderr,
                   "round %d: omnigate sample %.1f ms + transcripts %.1f ms (+ JSON %.1f ms); "
                   "baseline %.1f + %.1f ms\n",
                   r + 1, ours.sample_ms, ours.transcripts_ms, ours.json_ms, base.sample_ms,
                   base.transcripts_ms);
    }
    nlohmann::json result = {{"conversations", shape.conversations},
                             {"sampled", ids.size()},
                             {"transcript_entries", entries},
                             {"rounds", rounds}};
    for (const auto& [name, values] : series) result[name] = median(values);
    std::printf("RESULT %s\n", result.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-qa: %s\n", e.what());
    return 1;
  }
  return 0;
}
