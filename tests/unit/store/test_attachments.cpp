#include "store/attachment_files.hpp"

#include "store_test_env.hpp"

#include <fstream>
#include <sstream>

using namespace omnigate::store;
using namespace omnigate::store::test;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("attachments are stored by content hash and a hostile filename is only metadata") {
  StoreTestEnv env;
  auto rec = sms("+15551234567", "MM1", "see picture");
  rec.attachments.push_back({"../../etc/passwd", "image/png", "PNG-BYTES", "", "", 0, "", ""});
  rec.attachments.push_back(
      {"/tmp/evil", "image/png", "PNG-BYTES", "", "", 0, "", ""});  // same content
  rec.attachments.push_back(
      {"remote.jpg", "image/jpeg", "", "https://example.com/r.jpg", "", 0, "", ""});
  const auto r = ingest(*env.store, rec);

  const std::string sha = sha256_hex("PNG-BYTES");
  const fs::path expected = fs::path(env.options.attachments_dir) / sha.substr(0, 2) / sha;
  CHECK(read_file(expected) == "PNG-BYTES");
  // Exactly one file for the two identical attachments, named by its hash; no other names.
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(env.options.attachments_dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  REQUIRE(files.size() == 1);
  CHECK(files[0] == expected);
  CHECK_FALSE(fs::exists(env.dir / "etc"));
  CHECK_FALSE(fs::exists(fs::path(env.options.attachments_dir) / ".." / ".." / "etc" / "passwd"));

  const auto transcript = env.store->transcript(r.conversation_id);
  const auto& stored = transcript.back().message->attachments;
  REQUIRE(stored.size() == 3);
  CHECK(stored[0].filename == "../../etc/passwd");
  CHECK(stored[0].sha256 == sha);
  CHECK(stored[0].size == 9);
  CHECK(stored[2].sha256.empty());
  CHECK(stored[2].url == "https://example.com/r.jpg");
}

TEST_CASE("reply attachments come back with their bytes for sending") {
  StoreTestEnv env;
  const auto r = ingest(*env.store, sms("+15551234567", "SM1", "hi"));
  ReplyRecord reply;
  reply.conversation_id = r.conversation_id;
  reply.agent_id = "alice";
  reply.attachments.push_back(
      {"invoice.pdf", "application/pdf", std::string("%PDF\0binary", 11), "", "", 0, "", ""});
  REQUIRE(wait_for<ReplyResult>([&](auto done) { env.store->enqueue_reply(reply, done); }).ok);
  const auto due = env.store->due_outbox(1LL << 50, 10);
  REQUIRE(due.size() == 1);
  REQUIRE(due[0].attachments.size() == 1);
  CHECK(due[0].attachments[0].filename == "invoice.pdf");
  CHECK(due[0].attachments[0].data == std::string("%PDF\0binary", 11));
}

TEST_CASE("the attachment store rejects names that are not digests") {
  StoreTestEnv env;
  AttachmentFiles files(env.options.attachments_dir);
  CHECK_THROWS_WITH(files.get("../../etc/passwd"), Catch::Contains("bad digest"));
}
