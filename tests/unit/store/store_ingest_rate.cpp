// Prints how many inbound messages per second the store persists with synchronous=FULL when
// many are in flight (what the webhook path does). A sanity tool, not a benchmark with a limit:
//   store_ingest_rate [messages] [directory]
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  using namespace omnigate::store;
  const int count = argc > 1 ? std::atoi(argv[1]) : 5000;
  std::string dir =
      argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "og-rate-XXXXXX").string();
  if (argc <= 2 && mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  SqliteOptions options;
  options.path = dir + "/rate.db";
  options.attachments_dir = dir + "/attachments";
  std::atomic<int> failed{0};
  const auto start = std::chrono::steady_clock::now();
  {
    auto store = open_sqlite_store(options);
    for (int i = 0; i < count; ++i) {
      InboundRecord rec;
      rec.channel_instance = rec.channel_kind = "sms";
      rec.from_kind = "phone";
      rec.from_address = "+1555" + std::to_string(1000000 + i % 500);
      rec.thread_key = rec.from_address;
      rec.provider_message_id = "SM" + std::to_string(i);
      rec.body_text = "hello";
      store->ingest_message(std::move(rec), [&](Outcome<IngestResult> o) {
        if (!o.ok) ++failed;
      });
    }
    store->flush();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d messages in %.3f s: %.0f msg/s (%d failed)\n", count, seconds, count / seconds,
              failed.load());
  if (argc <= 2) std::filesystem::remove_all(dir);
  return failed == 0 ? 0 : 1;
}
