// POST /api/v1/attachments (an agent's file into the content-addressed attachment store) and
// replies that attach such a file by its sha256, through the real Router, store and outbox.
#include "api_fixture.hpp"

#include "store/attachment_files.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

// Bytes no text path would carry unharmed: NUL, 0xFF, CR LF.
std::string binary_file(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 37 + i / 251) % 256);
  bytes.replace(0, 8, std::string("%PDF\0\xFF\r\n", 8));
  return bytes;
}

Api::Result upload(Api& api, const std::string& who, const std::string& bytes,
                   const std::string& query = "?filename=a.pdf",
                   const std::string& content_type = "application/pdf") {
  http::HeaderList headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return api.call("POST", "/api/v1/attachments" + query, who, bytes, headers);
}

}  // namespace

TEST_CASE("an upload is stored by its sha256 and answered with what it holds", "[api]") {
  Api api;
  const std::string bytes = binary_file(300 * 1024);
  const auto r = upload(api, "alice", bytes, "?filename=Rechnung%20M%C3%A4rz%2F2024.pdf");
  REQUIRE(r.status == 201);
  const std::string sha = store::sha256_hex(bytes);
  CHECK(r.body["sha256"] == sha);
  CHECK(r.body["size"] == bytes.size());
  CHECK(r.body["filename"] == "Rechnung März/2024.pdf");  // a name, never a path
  CHECK(r.body["content_type"] == "application/pdf");
  CHECK(store::AttachmentFiles(api.store.attachments_dir()).get(sha) == bytes);

  // The same bytes again name the same file.
  CHECK(upload(api, "sue", bytes, "?filename=b.pdf").body["sha256"] == sha);
  const auto untyped = upload(api, "ada", "plain", "?filename=x", "");
  REQUIRE(untyped.status == 201);
  CHECK(untyped.body["content_type"] == "application/octet-stream");
}

TEST_CASE("uploads need a token and a role that works on conversations", "[api]") {
  Api api;
  const auto anonymous = upload(api, "", "x");
  CHECK(anonymous.status == 401);
  const auto qa = upload(api, "quinn", "x");
  CHECK(qa.status == 403);
  CHECK(qa.body["error"] == "forbidden");
  for (const char* who : {"alice", "sue", "ada"}) {
    INFO(who);
    CHECK(upload(api, who, "x").status == 201);
  }
}

TEST_CASE("an upload's route carries max_upload_bytes as its body limit", "[api]") {
  Api api;
  const auto m = api.router.match("POST", "/api/v1/attachments");
  REQUIRE(m.handler != nullptr);
  CHECK(m.max_body_bytes == Api::kMaxUploadBytes);
}

TEST_CASE("an upload's file name and type are checked, naming the field", "[api]") {
  Api api;
  const auto field_of = [&](const std::string& query, const std::string& type) {
    const auto r = upload(api, "alice", "x", query, type);
    CHECK(r.status == 400);
    return r.body.value("field", "");
  };
  CHECK(field_of("", "application/pdf") == "filename");
  CHECK(field_of("?filename=", "application/pdf") == "filename");
  CHECK(field_of("?filename=a%0D%0ABcc:%20x@y", "application/pdf") == "filename");
  CHECK(field_of("?filename=a%00b", "application/pdf") == "filename");
  CHECK(field_of("?filename=%FF.pdf", "application/pdf") == "filename");  // not UTF-8
  CHECK(field_of("?filename=" + std::string(256, 'n'), "application/pdf") == "filename");
  CHECK(field_of("?filename=a.pdf", "pdf") == "Content-Type");
  CHECK(field_of("?filename=a.pdf", "application/pdf\x01") == "Content-Type");
  CHECK(upload(api, "alice", "x", "?filename=" + std::string(255, 'n')).status == 201);
}

TEST_CASE("a reply attaches uploads by sha256 and the channel gets them from the store", "[api]") {
  Api api;
  const auto id = api.inbound("email", "kunde@customer.example");
  REQUIRE(eventually([&] { return api.assigned(id).has_value(); }));
  const std::string who = *api.assigned(id);
  const std::string large = binary_file(300 * 1024);  // above kInlineOutboundAttachmentBytes
  const std::string small = "\x89PNG\r\n\x1A\n" + std::string(100, '\0');
  const auto large_sha = upload(api, who, large).body["sha256"].get<std::string>();
  const auto small_sha =
      upload(api, who, small, "?filename=p.png", "image/png").body["sha256"].get<std::string>();
  json body = {
      {"text", "see attached"},
      {"attachments",
       {{{"filename", "a.pdf"}, {"content_type", "application/pdf"}, {"sha256", large_sha}},
        {{"filename", "p.png"}, {"content_type", "image/png"}, {"sha256", small_sha}}}}};
  const auto r = api.call("POST", api.path(id, "/reply"), who, body.dump());
  REQUIRE(r.status == 202);
  const auto outbox_id = r.body["outbox_id"].get<store::Id>();
  REQUIRE(eventually([&] { return api.channel.sent(outbox_id); }));

  const auto item = *api.channel.sent_item(outbox_id);
  REQUIRE(item.attachments.size() == 2);
  const auto& a = item.attachments[0];
  CHECK(a.filename == "a.pdf");
  CHECK(a.content_type == "application/pdf");
  CHECK(a.blob_sha256 == large_sha);
  CHECK(a.size == static_cast<std::int64_t>(large.size()));
  CHECK(a.data.empty());  // large: the channel reads it by reference
  const auto& p = item.attachments[1];
  CHECK(p.blob_sha256 == small_sha);
  CHECK(p.size == static_cast<std::int64_t>(small.size()));
  CHECK(p.data == small);  // small: the bytes come along

  // The same reply again under its key is a replay; another file is a different reply.
  const http::HeaderList key = {{"Idempotency-Key", "files-1"}};
  REQUIRE(api.call("POST", api.path(id, "/reply"), who, body.dump(), key).status == 202);
  CHECK(api.call("POST", api.path(id, "/reply"), who, body.dump(), key).body["replayed"] == true);
  body["attachments"][1]["sha256"] = large_sha;
  CHECK(api.call("POST", api.path(id, "/reply"), who, body.dump(), key).status == 422);
}

TEST_CASE("a reply naming a file nobody uploaded is refused, naming the attachment", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550199");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const json body = {
      {"text", "x"},
      {"attachments", {{{"filename", "a.pdf"}, {"sha256", store::sha256_hex("never uploaded")}}}}};
  const auto r = api.call("POST", api.path(id, "/reply"), "alice", body.dump());
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "attachments[0].sha256");
  for (const auto& e : api.store->transcript(id))  // nothing stored
    CHECK((!e.message || e.message->direction == "in"));
}
