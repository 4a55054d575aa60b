// Streaming blobs through the real host (og_host_api.blob_*): the probe plugin writes a blob in
// chunks into the content-addressed attachment store, attaches it to an inbound message by
// reference with a Content-ID and a disposition, and reads stored blobs back in chunks — an
// agent's large outbound attachment included.
#include "probe_host.hpp"

#include "store/attachment_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <future>
#include <limits>
#include <string>

using nlohmann::json;
using omnigate::test::ProbeHost;
namespace store = omnigate::store;

namespace {

// The one attachment of the conversation's first message, as the store has it.
store::StoredAttachment stored_attachment(ProbeHost& p) {
  const auto conversations = p.env.store->list_conversations({});
  REQUIRE(conversations.size() == 1);
  for (const auto& entry : p.env.store->transcript(conversations[0].id)) {
    if (entry.message && !entry.message->attachments.empty())
      return entry.message->attachments.at(0);
  }
  FAIL("no attachment stored");
  return {};
}

uint64_t fnv1a(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

TEST_CASE("a blob written in chunks is stored content-addressed and attached by reference") {
  ProbeHost p;
  const std::string a(70000, 'a'), b = "tail of the recording";
  const auto r = p.post("/channels/probe/blob", {{"chunks", {a, b}},
                                                 {"id", "SM1"},
                                                 {"from", "+14155550100"},
                                                 {"filename", "call.wav"},
                                                 {"content_id", "part1@example"},
                                                 {"disposition", "inline"}});
  REQUIRE(r.status == 200);
  const std::string sha = store::sha256_hex(a + b);
  CHECK(r.body == "sha256:" + sha);

  const auto stored = stored_attachment(p);
  CHECK(stored.sha256 == sha);
  CHECK(stored.size == static_cast<int64_t>(a.size() + b.size()));
  CHECK(stored.filename == "call.wav");
  CHECK(stored.content_id == "part1@example");
  CHECK(stored.disposition == "inline");
  CHECK(store::AttachmentFiles((p.env.dir / "attachments").string()).get(sha) == a + b);
  // No temporary file is left beside the shards.
  for (const auto& f : std::filesystem::directory_iterator(p.env.dir / "attachments"))
    CHECK(f.path().filename().string().rfind(".tmp", 0) != 0);

  // Read back through blob_read in small chunks.
  const auto back = p.get("/channels/probe/blob?ref=sha256:" + sha + "&chunk=4096");
  CHECK(back.status == 200);
  CHECK(back.body == a + b);
}

TEST_CASE("blob_read refuses references that are malformed, unknown, or try to leave the store") {
  ProbeHost p;
  const std::string known = "sha256:" + store::sha256_hex("nothing stored");
  for (const std::string& ref :
       {known, std::string("sha256:../../etc/passwd"),
        std::string("sha256:") + std::string(64, 'A'),
        std::string("md5:d41d8cd98f00b204e9800998ecf8427e"), std::string("")}) {
    INFO(ref);
    CHECK(p.get("/channels/probe/blob?ref=" + ref + "&chunk=16").status == 404);
  }
}

TEST_CASE("an inbound attachment's blob_ref must name a stored blob") {
  ProbeHost p;
  auto r =
      p.post("/channels/probe/blob-ref", {{"ref", "sha256:" + store::sha256_hex("never written")},
                                          {"id", "SM2"},
                                          {"from", "+14155550100"}});
  CHECK(r.status == 400);
  CHECK(r.body.find("is not stored") != std::string::npos);
  r = p.post("/channels/probe/blob-ref",
             {{"ref", "/etc/passwd"}, {"id", "SM3"}, {"from", "+14155550100"}});
  CHECK(r.status == 400);
  CHECK(r.body.find("not a blob reference") != std::string::npos);
  CHECK(p.env.store->list_conversations({}).empty());
}

TEST_CASE("a blob past the instance's max_blob_bytes is refused and never stored") {
  omnigate::test::HostTestEnv env;
  auto options = omnigate::test::probe_options();
  options.attachments_dir = (env.dir / "attachments").string();
  omnigate::PluginHost host(*env.executor, *env.store, env.metrics, options);
  auto small = ProbeHost::instance("probe", false);
  small.max_blob_bytes = 1000;
  host.start({small});
  omnigate::http::Router router;
  host.register_routes(router);

  const json body = {{"chunks", {std::string(600, 'x'), std::string(600, 'y')}},
                     {"id", "SM4"},
                     {"from", "+14155550100"}};
  const auto r = omnigate::test::call_route(router, "POST", "/channels/probe/blob", body.dump());
  REQUIRE(r.has_value());
  CHECK(r->status == 413);
  CHECK(r->body.find("max_blob_bytes") != std::string::npos);
  CHECK(env.store->list_conversations({}).empty());
  CHECK(!std::filesystem::exists(
      env.dir / "attachments" /
      store::sha256_hex(std::string(600, 'x') + std::string(600, 'y')).substr(0, 2)));
}

TEST_CASE("a large outbound attachment comes by reference and is read in chunks") {
  ProbeHost p;
  REQUIRE(
      p.post("/channels/probe/inbound", {{"id", "SM5"}, {"from", "+14155550100"}, {"text", "hi"}})
          .status == 200);
  const auto conversation = p.env.store->list_conversations({}).at(0);
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  store::ReplyRecord reply;
  reply.conversation_id = conversation.id;
  reply.agent_id = "alice";
  reply.body_text = "ok";
  reply.attachments.push_back({"scan.pdf", "application/pdf", big, "", "", 0, "", ""});
  std::promise<bool> enqueued;
  p.env.store->enqueue_reply(
      reply, [&](store::Outcome<store::ReplyResult> r) { enqueued.set_value(r.ok); });
  REQUIRE(enqueued.get_future().get());
  const auto items = p.env.store->due_outbox(std::numeric_limits<int64_t>::max(), 10);
  REQUIRE(items.size() == 1);
  REQUIRE(items[0].attachments.size() == 1);
  CHECK(items[0].attachments[0].data.empty());  // too large to inline

  std::promise<omnigate::SendOutcome> sent;
  p.host.send(items[0], [&](omnigate::SendOutcome o) { sent.set_value(std::move(o)); });
  CHECK(sent.get_future().get().kind == omnigate::SendOutcome::Kind::sent);
  const auto seen = json::parse(p.await_kv("probe", "sent-attachment").value_or("{}"));
  CHECK(seen.value("blob_ref", "") == "sha256:" + store::sha256_hex(big));
  CHECK(seen.value("size", size_t{0}) == big.size());
  CHECK(seen.value("inline_bytes", 1) == 0);
  CHECK(seen.value("read_bytes", size_t{0}) == big.size());
  CHECK(seen.value("read_fnv1a", uint64_t{0}) == fnv1a(big));
}
