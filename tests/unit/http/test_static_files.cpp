#include "http/console_files.hpp"
#include "http/static_files.hpp"
#include "server_fixture.hpp"
#include "test_client.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace omnigate;
using namespace omnigate::test;
namespace fs = std::filesystem;

namespace {

// web/ with index.html, app.js and a sub-directory; secret.txt beside web/ (never served).
struct WebDir {
  fs::path base = fs::temp_directory_path() / ("og_static_" + std::to_string(::getpid()));
  fs::path web = base / "web";
  WebDir() {
    fs::create_directories(web / "qa");
    std::ofstream(web / "index.html") << "<h1>agents</h1>";
    std::ofstream(web / "app.js") << "export {}";
    std::ofstream(web / "qa" / "index.html") << "<h1>qa</h1>";
    std::ofstream(base / "secret.txt") << "secret";
    fs::create_symlink(base / "secret.txt", web / "link.txt");
  }
  ~WebDir() { fs::remove_all(base); }
};

}  // namespace

TEST_CASE("static files are served with their content type; directories serve index.html") {
  WebDir dir;
  ServerFixture f;
  http::serve_static(f.router, dir.web.string());
  f.start();
  auto index = request(f.port, "GET", "/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->body == "<h1>agents</h1>");
  CHECK(index->headers["content-type"] == "text/html; charset=utf-8");
  auto js = request(f.port, "GET", "/app.js");
  REQUIRE(js);
  CHECK(js->headers["content-type"] == "text/javascript; charset=utf-8");
  auto qa = request(f.port, "GET", "/qa/");
  REQUIRE(qa);
  CHECK(qa->body == "<h1>qa</h1>");
  CHECK(request(f.port, "GET", "/missing.css")->status == 404);
}

TEST_CASE("path traversal and links out of the web root are refused") {
  WebDir dir;
  ServerFixture f;
  http::serve_static(f.router, dir.web.string());
  f.start();
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/qa/../../secret.txt",
                             "/%2E%2E%2Fsecret.txt", "/link.txt", "/..%5Csecret.txt"}) {
    INFO(target);
    auto r = request(f.port, "GET", target);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("secret") == std::string::npos);
  }
}

TEST_CASE("content_type_for falls back to octet-stream") {
  CHECK(http::content_type_for("a.css") == "text/css; charset=utf-8");
  CHECK(http::content_type_for("blob.bin") == "application/octet-stream");
}

TEST_CASE("the console: its page at /, its files under /console/, each with the security headers") {
  WebDir dir;
  ServerFixture f;
  http::serve_console(f.router, dir.web.string());
  f.start();
  auto page = request(f.port, "GET", "/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body == "<h1>agents</h1>");
  CHECK(page->headers["content-security-policy"].find("script-src 'self'") != std::string::npos);
  CHECK(page->headers["referrer-policy"] == "no-referrer");
  CHECK(page->headers["x-content-type-options"] == "nosniff");
  auto js = request(f.port, "GET", "/console/app.js");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(js->headers["content-security-policy"] == page->headers["content-security-policy"]);
  // Only "/" and "/console/...": the rest of the URL space stays the API's and web_dir's.
  CHECK(request(f.port, "GET", "/app.js")->status == 404);
  CHECK(request(f.port, "GET", "/console/../../secret.txt")->status == 404);
  CHECK(request(f.port, "GET", "/console/link.txt")->status == 404);
}
