// What may go on the wire as a reply (http::response_error), whoever built it.
#include "http/response_validation.hpp"

#include <catch2/catch.hpp>

#include <string>

using Catch::Matchers::Contains;
using omnigate::http::printable;
using omnigate::http::Response;
using omnigate::http::response_error;

namespace {

Response reply(int status, std::string body = "") {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Retry-After", "1");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"omnigate\",\terror=\"x\"");
  return r;
}

}  // namespace

TEST_CASE("ordinary replies are valid, empty bodies on 204 and 304 included") {
  for (int status : {200, 201, 204, 301, 304, 400, 404, 500, 503, 599}) {
    INFO(status);
    CHECK(response_error(reply(status)).empty());
  }
  CHECK(response_error(reply(200, std::string("\0binary\r\n", 9))).empty());
  auto no_type = reply(200);
  no_type.content_type.clear();
  CHECK(response_error(no_type).empty());
  auto obs_text = reply(200);
  obs_text.headers.emplace_back("Content-Disposition", "attachment; filename=\"caf\xc3\xa9.txt\"");
  CHECK(response_error(obs_text).empty());
}

TEST_CASE("a status that is not a final HTTP status is refused") {
  for (int status : {-1, 0, 99, 100, 101, 199, 600, 999}) {
    INFO(status);
    CHECK_THAT(response_error(reply(status)),
               Contains("status " + std::to_string(status) + " is not a final HTTP status"));
  }
}

TEST_CASE("a body on a status that has none is refused") {
  for (int status : {204, 205, 304}) {
    INFO(status);
    CHECK(response_error(reply(status, "x")) ==
          "a " + std::to_string(status) + " reply cannot have a body");
  }
}

TEST_CASE("control characters in a header value or the content type are refused") {
  for (std::string bad : {std::string("1\r\nSet-Cookie: x=1"), std::string("1\n"),
                          std::string("a\0b", 3), std::string("\x7f"), std::string("\x1b[31m")}) {
    INFO(printable(bad));
    auto value = reply(200);
    value.headers.emplace_back("X-Id", bad);
    CHECK_THAT(response_error(value), Contains("header X-Id: value contains a control character"));
    auto type = reply(200);
    type.content_type = "text/plain" + bad;
    CHECK_THAT(response_error(type), Contains("content_type contains a control character"));
  }
}

TEST_CASE("a header name that is not a token is refused, quoted printably") {
  for (std::string bad : {std::string(""), std::string("X Id"), std::string("X-Id:"),
                          std::string("X-Id\r\nSet-Cookie"), std::string("X\0", 2),
                          std::string("caf\xc3\xa9"), std::string("(x)")}) {
    auto r = reply(200);
    r.headers.emplace_back(bad, "1");
    const std::string error = response_error(r);
    INFO(error);
    CHECK_THAT(error, Contains("is not an HTTP token"));
    CHECK(error.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
  }
}

TEST_CASE("printable() escapes control bytes and shortens long text") {
  CHECK(printable("X-Id\r\n") == "X-Id\\x0d\\x0a");
  CHECK(printable(std::string(100, 'a')) == std::string(64, 'a') + "...");
}
