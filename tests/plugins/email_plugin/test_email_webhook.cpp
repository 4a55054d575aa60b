// read_webhook: which posts are let through, with which status the others are refused.
#include "multipart_form.hpp"
#include "webhook_request.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace omnigate::email;

namespace {

constexpr int64_t kNow = 1'529'006'900;

WebhookConfig config() {
  WebhookConfig c;
  c.secret = "raw-secret";
  c.mailgun_signing_key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
  c.sendgrid_user = "sg";
  c.sendgrid_password = "sg-password";
  return c;
}

struct Post {
  Post(std::vector<std::pair<std::string, std::string>> h, std::string b)
      : headers(std::move(h)), body(std::move(b)) {}
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<og_header> raw_headers;

  omnigate::HttpRequest request() {
    raw_headers.clear();
    for (const auto& [n, v] : headers)
      raw_headers.push_back({sizeof(og_header), {n.data(), n.size()}, {v.data(), v.size()}});
    omnigate::HttpRequest r;
    r.method = "POST";
    r.path = "/inbound";
    r.body = body;
    r.header_array = raw_headers.data();
    r.header_count = raw_headers.size();
    return r;
  }
};

int status_of(Post post, const WebhookConfig& c = config()) {
  auto result = read_webhook(c, post.request(), kNow);
  if (std::holds_alternative<WebhookMail>(result)) return 200;
  return std::get<WebhookRefusal>(result).status;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--BoUnDaRy\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
            "\r\n";
  return body + "--BoUnDaRy--\r\n";
}

const std::string kMail = "From: a@customer.example\r\nSubject: hi\r\n\r\nhello\r\n";
const std::string kMultipart = "multipart/form-data; boundary=BoUnDaRy";

}  // namespace

TEST_CASE("Mailgun's signature is hex HMAC-SHA256 of timestamp + token", "[email][webhook]") {
  // The expected value computed independently (Python's hmac module).
  CHECK(mailgun_signature("key-3ax6xnjp29jd6fds4gc373sgvjxteol0", "1529006854",
                          "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0") ==
        "b63c0701c4f4b614f272106a1b367c5c3369bcdca664ae73ebd52787e45eef07");
}

TEST_CASE("a raw message needs the webhook secret", "[email][webhook]") {
  CHECK(status_of({{{"Content-Type", "message/rfc822"}}, kMail}) == 401);
  CHECK(status_of({{{"Content-Type", "message/rfc822"}, {"Authorization", "Bearer nope"}},
                   kMail}) == 403);
  CHECK(status_of({{{"Content-Type", "message/rfc822"}, {"Authorization", "Token raw-secret"}},
                   kMail}) == 401);
  CHECK(
      status_of({{{"Content-Type", "Message/RFC822; x=1"}, {"Authorization", "Bearer raw-secret"}},
                 kMail}) == 200);
  // Basic with the secret as password ("any:raw-secret").
  CHECK(status_of(
            {{{"Content-Type", "message/rfc822"}, {"Authorization", "Basic YW55OnJhdy1zZWNyZXQ="}},
             kMail}) == 200);
  CHECK(status_of({{{"Content-Type", "message/rfc822"}, {"Authorization", "Bearer raw-secret"}},
                   ""}) == 400);
  WebhookConfig off = config();
  off.secret.clear();
  CHECK(status_of({{{"Content-Type", "message/rfc822"}, {"Authorization", "Bearer "}}, kMail},
                  off) == 403);
}

TEST_CASE("Mailgun posts are checked by signature and age", "[email][webhook]") {
  const std::string ts = "1529006854", token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
  const std::string good = "b63c0701c4f4b614f272106a1b367c5c3369bcdca664ae73ebd52787e45eef07";
  auto post = [&](const std::string& signature, const std::string& timestamp) {
    std::vector<std::pair<std::string, std::string>> fields{
        {"timestamp", timestamp}, {"token", token}, {"body-mime", kMail}};
    if (!signature.empty()) fields.emplace_back("signature", signature);
    return Post{{{"Content-Type", kMultipart}}, form(fields)};
  };
  auto result = read_webhook(config(), post(good, ts).request(), kNow);
  REQUIRE(std::holds_alternative<WebhookMail>(result));
  CHECK(std::get<WebhookMail>(result).raw == kMail);
  CHECK(std::get<WebhookMail>(result).source == "mailgun");
  CHECK(status_of(post("", ts)) == 401);
  CHECK(status_of(post(std::string(64, '0'), ts)) == 403);
  // Right signature, but signed an hour before "now": a replay.
  auto late = read_webhook(config(), post(good, ts).request(), kNow + 3600);
  CHECK(std::get<WebhookRefusal>(late).status == 403);
  WebhookConfig off = config();
  off.mailgun_signing_key.clear();
  CHECK(status_of(post(good, ts), off) == 403);
}

TEST_CASE("SendGrid posts need the Basic credentials", "[email][webhook]") {
  const std::string body = form({{"to", "support@example.com"}, {"email", kMail}});
  CHECK(status_of({{{"Content-Type", kMultipart}}, body}) == 401);
  // "sg:wrong"
  CHECK(status_of({{{"Content-Type", kMultipart}, {"Authorization", "Basic c2c6d3Jvbmc="}},
                   body}) == 403);
  // "sg:sg-password"
  auto ok = read_webhook(
      config(),
      Post{{{"Content-Type", kMultipart}, {"Authorization", "Basic c2c6c2ctcGFzc3dvcmQ="}}, body}
          .request(),
      kNow);
  REQUIRE(std::holds_alternative<WebhookMail>(ok));
  CHECK(std::get<WebhookMail>(ok).raw == kMail);
}

TEST_CASE("other bodies are refused with a clear status", "[email][webhook]") {
  CHECK(status_of({{{"Content-Type", "application/json"}}, "{}"}) == 415);
  CHECK(status_of({{}, kMail}) == 415);
  CHECK(status_of({{{"Content-Type", kMultipart}}, form({{"foo", "bar"}})}) == 400);
  CHECK(status_of({{{"Content-Type", kMultipart}}, "not a multipart body"}) == 400);
}

TEST_CASE("multipart/form-data fields are decoded, files skipped", "[email][webhook]") {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"email\"\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\nK=C3=BCnde\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"attachment1\"; filename=\"x.pdf\"\r\n\r\n"
      "%PDF\r\n--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nx@y\r\n--b--\r\n";
  const auto parsed = parse_multipart_form("multipart/form-data; boundary=b", body);
  CHECK(parsed.problem.empty());
  REQUIRE(parsed.fields.size() == 2);
  CHECK(parsed.fields[0] == std::make_pair(std::string("email"), std::string("Künde")));
  CHECK(parsed.fields[1] == std::make_pair(std::string("to"), std::string("x@y")));
}
