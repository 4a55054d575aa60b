// http_fetch through a plugin: the SSRF guard (on the address actually connected to), the
// two-key rule for private targets, no redirects, and the response size cap.
#include "local_http_server.hpp"
#include "probe_host.hpp"

#include <catch2/catch.hpp>

#include <vector>

using Catch::Matchers::Contains;
using nlohmann::json;
using omnigate::test::LocalHttpServer;
using omnigate::test::ProbeHost;

namespace {

json fetch(ProbeHost& p, const std::string& instance, const std::string& url, bool ask_private,
           const std::string& key) {
  const auto r = p.post("/channels/" + instance + "/fetch",
                        {{"url", url}, {"key", key}, {"private", ask_private}});
  REQUIRE(r.status == 202);
  const auto result = p.await_kv(instance, key);
  REQUIRE(result.has_value());
  return json::parse(*result);
}

}  // namespace

TEST_CASE("fetches to loopback and private and link-local and metadata addresses are refused") {
  ProbeHost p;
  LocalHttpServer server;
  const std::string port = std::to_string(server.port());
  int n = 0;
  for (const std::string& url : std::vector<std::string>{
           server.url("127.0.0.1", "/hello"), "http://10.1.2.3:" + port + "/",
           std::string("http://169.254.169.254/latest/meta-data/"),
           "http://[::1]:" + port + "/hello", "http://192.168.1.1:" + port + "/",
           "http://100.64.0.1:" + port + "/", "http://0.0.0.0:" + port + "/hello"}) {
    INFO(url);
    const json r = fetch(p, "probe", url, /*ask_private=*/true, "refused-" + std::to_string(n++));
    CHECK(r["status"] == 0);
    CHECK_THAT(r["error"].get<std::string>(), Contains("refused"));
  }
  CHECK(server.requests() == 0);
}

TEST_CASE("a hostname that resolves to loopback is refused after resolution") {
  ProbeHost p;
  LocalHttpServer server;
  const json r = fetch(p, "probe", server.url("localhost", "/hello"), true, "localhost");
  CHECK(r["status"] == 0);
  CHECK_THAT(r["error"].get<std::string>(), Contains("refused"));
  CHECK(server.requests() == 0);
}

TEST_CASE("loopback is reachable only when the instance allows it AND the request asks") {
  ProbeHost p;
  LocalHttpServer server;
  const json allowed =
      fetch(p, "probe_private", server.url("127.0.0.1", "/hello"), true, "allowed");
  CHECK(allowed["status"] == 200);
  CHECK(allowed["error"] == "");
  CHECK(allowed["body_size"] == 2);
  const json not_asked =
      fetch(p, "probe_private", server.url("127.0.0.1", "/hello"), false, "not-asked");
  CHECK(not_asked["status"] == 0);
  CHECK_THAT(not_asked["error"].get<std::string>(), Contains("refused"));
  CHECK(server.requests() == 1);
}

TEST_CASE("redirects are returned to the plugin and not followed") {
  ProbeHost p;
  LocalHttpServer server;
  const json r = fetch(p, "probe_private", server.url("127.0.0.1", "/redirect"), true, "redirect");
  CHECK(r["status"] == 302);
  CHECK(r["location"] == server.url("127.0.0.1", "/hello"));
  CHECK(server.requests() == 1);
}

TEST_CASE("a response larger than max_fetch_response_bytes is aborted with an error") {
  ProbeHost p;  // max_fetch_response_bytes = 1024
  LocalHttpServer server;
  const json r = fetch(p, "probe_private", server.url("127.0.0.1", "/big"), true, "big");
  CHECK(r["status"] == 0);
  CHECK(r["body_size"] == 0);
  CHECK_THAT(r["error"].get<std::string>(), Contains("larger than 1024 bytes"));
}

TEST_CASE("only http and https URLs are accepted") {
  ProbeHost p;
  const auto r = p.post("/channels/probe/fetch", {{"url", "file:///etc/passwd"}, {"key", "file"}});
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Contains("only http:// and https://"));
}
