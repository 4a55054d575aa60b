#include "core/log.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

using namespace omnigate;

TEST_CASE("log levels parse from their names and reject others") {
  CHECK(log_level_from_string("debug") == LogLevel::debug);
  CHECK(log_level_from_string("warn") == LogLevel::warn);
  CHECK_FALSE(log_level_from_string("verbose").has_value());
  CHECK_FALSE(log_level_from_string("INFO").has_value());
}

TEST_CASE("set_log_level changes the threshold") {
  const LogLevel before = log_level();
  set_log_level(LogLevel::error);
  CHECK(log_level() == LogLevel::error);
  set_log_level(before);
}

namespace {

// Runs fn with stderr redirected to a temporary file and returns what was written.
template <class Fn>
std::string capture_stderr(Fn fn) {
  std::FILE* tmp = std::tmpfile();
  REQUIRE(tmp != nullptr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(tmp), STDERR_FILENO);
  fn();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::rewind(tmp);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, tmp)) out.append(buf, n);
  std::fclose(tmp);
  return out;
}

}  // namespace

TEST_CASE("each record is one JSON line with ts, level, component and msg") {
  const std::string out = capture_stderr([] {
    log(LogLevel::warn, "http", "bad \"request\"\nfrom client");
    log(LogLevel::debug, "http", "dropped below the info threshold");
  });
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
  const auto record = nlohmann::json::parse(out);
  CHECK(record["level"] == "warn");
  CHECK(record["component"] == "http");
  CHECK(record["msg"] == "bad \"request\"\nfrom client");
  CHECK(record["ts"].get<std::string>().size() == 24);  // 2026-11-23T07:40:45.123Z
}

TEST_CASE("invalid UTF-8 in a message is replaced, not thrown") {
  const std::string out = capture_stderr([] { log(LogLevel::error, "sms", "bad \xff byte"); });
  CHECK(nlohmann::json::parse(out)["msg"].get<std::string>().find("bad ") == 0);
}
