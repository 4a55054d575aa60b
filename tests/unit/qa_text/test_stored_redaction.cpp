// Check 3 of issue 19: 10,000 generated transcripts with card numbers and security codes in every
// channel go through the store's real write path into a real SQLite file in WAL mode; no full
// card number may be left in the database file, its WAL, the search index, the logs or an export.
#include "card_corpus.hpp"
#include "store_test_env.hpp"

#include "core/log.hpp"
#include "qa_text/transcript_export.hpp"
#include "redaction/raw_seal.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_set>

using namespace omnigate;
using namespace omnigate::store;
using namespace omnigate::store::test;
using omnigate::qa_text::test::CardCorpus;
using omnigate::qa_text::test::GeneratedCard;

namespace {

constexpr int kTranscripts = 10000;

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The card numbers of `cards` that occur in `bytes`, contiguous or with the separators customers
// type (one or two spaces or dashes between digits).
std::vector<std::string> cards_in(const std::string& bytes,
                                  const std::unordered_set<std::string>& cards) {
  std::vector<std::string> found;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (!std::isdigit(static_cast<unsigned char>(bytes[pos]))) {
      ++pos;
      continue;
    }
    std::string digits;
    while (pos < bytes.size()) {
      if (std::isdigit(static_cast<unsigned char>(bytes[pos]))) {
        digits += bytes[pos++];
        continue;
      }
      std::size_t next = pos;
      while (next < bytes.size() && next - pos < 2 && (bytes[next] == ' ' || bytes[next] == '-'))
        ++next;
      if (next == pos || next >= bytes.size() ||
          !std::isdigit(static_cast<unsigned char>(bytes[next])))
        break;
      pos = next;
    }
    for (std::size_t len = 13; len <= 19 && len <= digits.size(); ++len)
      for (std::size_t at = 0; at + len <= digits.size(); ++at)
        if (cards.count(digits.substr(at, len))) found.push_back(digits.substr(at, len));
  }
  return found;
}

// Redirects this process's stderr (where every log line goes) into a file while alive.
class CapturedLogs {
 public:
  explicit CapturedLogs(const std::filesystem::path& file) : saved_(dup(STDERR_FILENO)) {
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~CapturedLogs() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  CapturedLogs(const CapturedLogs&) = delete;
  CapturedLogs& operator=(const CapturedLogs&) = delete;

 private:
  int saved_;
};

InboundRecord inbound(int n, const std::string& text, const std::string& raw) {
  InboundRecord rec;
  const int channel = n % 3;
  rec.channel_instance = channel == 0 ? "sms" : channel == 1 ? "email" : "webchat";
  rec.channel_kind = rec.channel_instance;
  rec.provider_message_id = "P" + std::to_string(n);
  if (channel == 0) {
    rec.from_kind = "phone";
    rec.from_address = "+1415555" + std::to_string(1000000 + n).substr(1);
  } else if (channel == 1) {
    rec.from_kind = "email";
    rec.from_address = "c" + std::to_string(n) + "@example.com";
    rec.subject = "Payment " + text.substr(0, 60);
    rec.body_html = "<p>" + text + "</p>";
    rec.metadata_json = nlohmann::json{{"new_text", text}}.dump();
  } else {
    rec.from_kind = "webchat";
    rec.from_address = "visitor-" + std::to_string(n);
  }
  rec.to_address = "support";
  rec.thread_key = rec.channel_instance + ":" + std::to_string(n);
  rec.body_text = text;
  rec.raw = raw;
  return rec;
}

}  // namespace

TEST_CASE("10,000 transcripts with card numbers leave no full card number anywhere") {
  StoreTestEnv env;
  env.options.synchronous_full = false;  // the same write path; one fsync less per batch
  env.options.raw_key = std::string(redaction::kRawKeyBytes, 'K');
  env.options.redaction_patterns = {R"(\b[A-Z]{2}\d{6}[A-Z]\b)"};
  env.reopen();
  Store& store = *env.store;

  CardCorpus corpus(7);
  std::unordered_set<std::string> cards;
  std::vector<GeneratedCard> typed;
  const auto log_file = env.dir / "captured.log";
  std::vector<Id> conversations(kTranscripts);
  {
    CapturedLogs logs(log_file);
    set_log_level(LogLevel::debug);
    std::atomic<int> failed{0};
    for (int n = 0; n < kTranscripts; ++n) {
      const auto card = corpus.card();
      cards.insert(card.digits);
      typed.push_back(card);
      const std::string text = corpus.card_sentence(card, corpus.code());
      const std::string raw = "Body=" + card.digits + "&From=x";
      store.ingest_message(inbound(n, text, raw), [&, n](Outcome<IngestResult> o) {
        if (!o.ok) ++failed;
        conversations[static_cast<std::size_t>(n)] = o.value.conversation_id;
      });
    }
    store.flush();
    REQUIRE(failed == 0);
    for (int n = 0; n < kTranscripts; ++n) {
      const Id conversation = conversations[static_cast<std::size_t>(n)];
      const auto& card = typed[static_cast<std::size_t>(n)];
      ReplyRecord reply;
      reply.conversation_id = conversation;
      reply.agent_id = "alice";
      reply.body_text = "Thanks, I charged " + card.typed + " (cvv " + corpus.code() + ")";
      store.enqueue_reply(reply, [&](Outcome<ReplyResult> o) { failed += o.ok ? 0 : 1; });
      // A voice call's transcription and an agent's note, both transcript events.
      ChannelEventRecord voice = phone_event(
          "voice", "CA" + std::to_string(n), "+1415666" + std::to_string(1000000 + n).substr(1),
          "call:" + std::to_string(n),
          nlohmann::json{{"transcription_text",
                          "my card number is " + card.typed + " security code " + corpus.code()}}
              .dump());
      voice.kind = "call.transcription";
      store.ingest_channel_event(voice, [&](Outcome<IngestResult> o) { failed += o.ok ? 0 : 1; });
      EventRecord note{conversation, "note.added", "agent:alice",
                       nlohmann::json{{"note", "customer read out " + card.digits}}.dump(), 0};
      store.add_event(note, [&](Outcome<Id> o) { failed += o.ok ? 0 : 1; });
    }
    store.flush();
    REQUIRE(failed == 0);
  }
  set_log_level(LogLevel::info);

  // Read while the store is open: the WAL still holds the latest pages.
  const std::filesystem::path db = env.options.path;
  const std::filesystem::path wal = env.options.path + "-wal";
  REQUIRE(std::filesystem::exists(wal));
  CHECK(cards_in(file_bytes(db), cards).empty());
  CHECK(cards_in(file_bytes(wal), cards).empty());
  CHECK(cards_in(file_bytes(log_file), cards).empty());

  // The search index keeps terms prefix-compressed, so it is asked rather than read: neither a
  // card's digits nor its groups as a phrase are in it, while its last four digits are.
  for (std::size_t i = 0; i < typed.size(); i += 50) {
    const auto& card = typed[i];
    INFO(card.typed);
    CHECK(store.search_transcripts(card.digits, 5).empty());
    CHECK(store.search_transcripts(card.typed, 5).empty());
  }
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH '\"cvv\"'") > 0);

  // Every conversation exported in every format.
  std::string exports;
  for (std::size_t i = 0; i < conversations.size(); ++i) {
    const auto conversation = store.get_conversation(conversations[i]);
    REQUIRE(conversation);
    const auto transcript = store.transcript(conversation->id);
    for (const auto format :
         {qa_text::ExportFormat::jsonl, qa_text::ExportFormat::text, qa_text::ExportFormat::html})
      exports += qa_text::export_transcript(*conversation, transcript, format);
  }
  CHECK(exports.find("1111") != std::string::npos);  // the exports are not empty of digits
  CHECK(cards_in(exports, cards).empty());

  // The raw payloads are sealed: readable with the key, and only with it.
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM messages WHERE direction = 'in' AND "
                   "hex(substr(raw, 1, 12)) <> hex('og-sealed-1:')") == 0);
}

TEST_CASE("without a raw key the raw payload is redacted as text") {
  StoreTestEnv env;
  const auto rec = sms("+14155550100", "SM-raw", "4111 1111 1111 1111");
  auto with_raw = rec;
  with_raw.raw = "Body=4111 1111 1111 1111&From=%2B14155550100";
  const auto done = ingest(*env.store, with_raw);
  env.store.reset();
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM messages WHERE id = " + std::to_string(done.message_id) +
                       " AND raw = 'Body=**** **** **** 1111&From=%2B14155550100' AND body_text = "
                       "'**** **** **** 1111'") == 1);
}
