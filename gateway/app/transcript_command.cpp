// `omnigate transcript verify|export` (docs/qa.md "Transcripts"): QA's offline tools on a database
// file — prove transcripts were not altered after the fact, and export them as files.
#include "app/cli.hpp"

#include "api/request_body.hpp"
#include "qa_text/transcript_export.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace omnigate::app {

namespace {

// The store on --db FILE (attachments beside it, as `serve` keeps them under data_dir).
std::unique_ptr<store::Store> open_db(const Args& args) {
  const auto db = args.get("db");
  if (!db || db->empty()) throw std::invalid_argument("--db FILE is required");
  if (!std::filesystem::exists(*db)) throw std::runtime_error("no database file " + *db);
  store::SqliteOptions options;
  options.path = *db;
  options.attachments_dir =
      (std::filesystem::path(*db).parent_path() / "attachments").lexically_normal().string();
  if (options.attachments_dir.empty()) options.attachments_dir = "attachments";
  return store::open_sqlite_store(options);
}

std::optional<store::Id> conversation_arg(const std::string& text) {
  const auto id = api::parse_path_id(text);
  if (!id) print_error("not a conversation id: " + text);
  return id;
}

}  // namespace

int transcript_verify_command(const Args& args) {
  const bool all = args.options.count("all") != 0;
  if (all == (args.positional.size() == 1))
    throw std::invalid_argument("expected one conversation id or --all");
  std::optional<store::Id> conversation;
  if (!all) {
    conversation = conversation_arg(args.positional[0]);
    if (!conversation) return kExitUsage;
  }
  try {
    const auto store = open_db(args);
    if (conversation && !store->get_conversation(*conversation)) {
      print_error("no conversation " + std::to_string(*conversation));
      return kExitFailure;
    }
    const auto broken = store->verify_transcripts(conversation);
    if (!broken) {
      std::cout << "ok" << std::endl;
      return kExitOk;
    }
    std::string what = "conversation " + std::to_string(broken->conversation_id) + ": event " +
                       std::to_string(broken->event_id);
    if (broken->message_id) what += " (message " + std::to_string(*broken->message_id) + ")";
    std::cout << "altered: " << what
              << " does not match its hash; the record was changed after it was written"
              << std::endl;
    return kExitFailure;
  } catch (const std::runtime_error& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

int transcript_export_command(const Args& args) {
  if (args.positional.empty()) throw std::invalid_argument("expected one or more conversation ids");
  const auto format = qa_text::export_format_from(args.get("format").value_or("jsonl"));
  if (!format) throw std::invalid_argument("--format must be jsonl, text or html");
  std::vector<store::Id> ids;
  for (const auto& text : args.positional) {
    const auto id = conversation_arg(text);
    if (!id) return kExitUsage;
    ids.push_back(*id);
  }
  try {
    const auto store = open_db(args);
    const auto out_dir = args.get("out");
    for (const auto id : ids) {
      const auto conversation = store->get_conversation(id);
      if (!conversation) {
        print_error("no conversation " + std::to_string(id));
        return kExitFailure;
      }
      const std::string file =
          qa_text::export_transcript(*conversation, store->transcript(id), *format);
      if (!out_dir) {
        std::cout << file;
        continue;
      }
      const auto path =
          std::filesystem::path(*out_dir) /
          ("conversation-" + std::to_string(id) + "." + qa_text::export_extension(*format));
      std::filesystem::create_directories(*out_dir);
      std::ofstream out(path, std::ios::binary);
      out << file;
      if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
      std::cout << path.string() << std::endl;
    }
    return kExitOk;
  } catch (const std::runtime_error& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace omnigate::app
