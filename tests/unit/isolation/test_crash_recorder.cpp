// The crash recorder in a forked child that really dies: the child installs it, enters an
// InputScope as the plugin host does, and crashes the way a plugin would; the parent checks
// the child died of the same signal and reads back exactly the input it had in flight.
#include "isolation/crash_recorder.hpp"

#include "sample_inputs.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace fs = std::filesystem;
using namespace omnigate::isolation;
using omnigate::isolation::test::SampleHttp;
using omnigate::isolation::test::SampleOutbox;
using omnigate::isolation::test::SampleWs;

namespace {

struct TempFile {
  fs::path dir = fs::temp_directory_path() / ("og_crashrec_" + std::to_string(::getpid()));
  fs::path path = dir / "crash-records";
  TempFile() { fs::create_directories(dir); }
  ~TempFile() { fs::remove_all(dir); }
  std::string str() const { return path.string(); }
};

// How a plugin crashes. UBSan (the asan preset) would catch the null write and the division
// itself and exit instead of faulting; a plugin built without it faults, which is what these
// stand for, so the checks are off here.
__attribute__((noinline, no_sanitize("undefined"))) void write_through_null() {
  static int* volatile null_pointer = nullptr;
  *null_pointer = 42;
}

volatile int g_quotient;
__attribute__((noinline, no_sanitize("undefined"))) void divide_by_zero() {
  static volatile int dividend = 7, zero = 0;  // both unknown: no division-free shortcut
  g_quotient = dividend / zero;
}

volatile int g_never = -1;
__attribute__((noinline)) int overflow_stack(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  if (depth == g_never) return 0;
  return overflow_stack(depth + 1) + frame[0];
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs `crash` in a child with the recorder installed; returns its wait status.
int run_child(const TempFile& file, const std::function<void()>& crash) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // No core files from the crashes these tests make on purpose.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    try {
      install_crash_recorder(file.str());
      crash();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);  // `crash` did not crash
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

void require_killed_by(int status, int sig) {
  INFO("wait status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == sig);
}

void check_same_input(const CrashRecord& r, const InputInFlight& in) {
  const CapturedInput expected = CapturedInput::capture(in);
  REQUIRE(r.has_input);
  CHECK_FALSE(r.truncated);
  CHECK(r.input == expected);
  CHECK(r.input.key() == expected.key());
}

}  // namespace

TEST_CASE("a null write in an http handler is recorded with the request", "[isolation]") {
  TempFile file;
  SampleHttp http;
  const int64_t before = now_ms();
  const int status = run_child(file, [&] {
    InputScope scope(http.input);
    write_through_null();
  });
  require_killed_by(status, SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  const CrashRecord& r = records[0];
  CHECK(r.signal == SIGSEGV);
  CHECK(r.at_ms >= before);
  CHECK(r.at_ms <= now_ms());
  check_same_input(r, http.input);
  // Field by field, not only through operator==.
  CHECK(r.input.kind == InputKind::http);
  CHECK(r.input.instance == "sms-broken");
  CHECK(r.input.method == "POST");
  CHECK(r.input.target == "/channels/sms-broken/inbound?x=1");
  CHECK(r.input.path == "/inbound");
  CHECK(r.input.headers == http.header_text);
  CHECK(r.input.body == http.body);
  CHECK(r.input.remote_addr == "127.0.0.1");
}

TEST_CASE("an abort in an http handler is recorded and the child still dies of SIGABRT",
          "[isolation]") {
  TempFile file;
  SampleHttp http;
  const int status = run_child(file, [&] {
    InputScope scope(http.input);
    std::abort();
  });
  require_killed_by(status, SIGABRT);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  CHECK(records[0].signal == SIGABRT);
  check_same_input(records[0], http.input);
}

TEST_CASE("a crash on a WebSocket frame is recorded with the frame", "[isolation]") {
  TempFile file;
  SampleWs ws;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(ws.input);
                                write_through_null();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], ws.input);
  CHECK(records[0].input.kind == InputKind::ws);
  CHECK(records[0].input.instance == "chat");
  CHECK(records[0].input.ws_path == "/ws");
  CHECK(records[0].input.ws_frame == ws.frame);
  CHECK(records[0].input.ws_is_text);
}

TEST_CASE("a crash in send_message is recorded with the outbox row", "[isolation]") {
  TempFile file;
  SampleOutbox outbox;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(outbox.input);
                                write_through_null();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], outbox.input);
  CHECK(records[0].input.kind == InputKind::outbox);
  CHECK(records[0].input.outbox_id == 9007199254740993);
  CHECK(records[0].input.key() == "outbox:9007199254740993");
}

TEST_CASE("other fatal signals are recorded with their number", "[isolation]") {
  TempFile file;
  SampleOutbox outbox;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(outbox.input);
                                divide_by_zero();
                              }),
                    SIGFPE);
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(outbox.input);
                                __builtin_trap();
                              }),
                    SIGILL);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 2);
  CHECK(records[0].signal == SIGFPE);
  CHECK(records[1].signal == SIGILL);
  check_same_input(records[0], outbox.input);
  check_same_input(records[1], outbox.input);
}

TEST_CASE("a crash with no input in flight is recorded without one", "[isolation]") {
  TempFile file;
  SampleHttp http;
  require_killed_by(run_child(file,
                              [&] {
                                { InputScope done(http.input); }  // left before the crash
                                write_through_null();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  CHECK(records[0].signal == SIGSEGV);
  CHECK_FALSE(records[0].has_input);
}

TEST_CASE("the crashing thread's input is recorded, not another thread's", "[isolation]") {
  TempFile file;
  SampleHttp http;
  SampleWs ws;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope main_thread(http.input);
                                std::thread([&] {
                                  InputScope worker(ws.input);
                                  write_through_null();
                                }).join();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], ws.input);
}

TEST_CASE("the outer input is recorded once a nested scope has ended", "[isolation]") {
  TempFile file;
  SampleHttp http;
  SampleOutbox outbox;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope outer(http.input);
                                { InputScope inner(outbox.input); }
                                write_through_null();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], http.input);
}

TEST_CASE("a stack overflow in a plugin thread is recorded (alternate signal stack)",
          "[isolation]") {
  TempFile file;
  SampleWs ws;
  require_killed_by(run_child(file,
                              [&] {
                                std::thread([&] {
                                  InputScope scope(ws.input);
                                  (void)overflow_stack(0);
                                }).join();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], ws.input);
}

TEST_CASE("fields beyond their cap are cut and the record marked truncated", "[isolation]") {
  TempFile file;
  SampleHttp http;
  http.body.assign(kCrashRecordMaxBody + 10, 'b');
  for (std::size_t i = 0; i < kCrashRecordMaxHeaders + 5; ++i)
    http.header_text.emplace_back("X-H" + std::to_string(i), "v");
  http.rebuild();
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(http.input);
                                write_through_null();
                              }),
                    SIGSEGV);
  const auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  CHECK(records[0].truncated);
  CHECK(records[0].input.body.size() == kCrashRecordMaxBody);
  CHECK(records[0].input.headers.size() == kCrashRecordMaxHeaders);
  CHECK(records[0].input.method == "POST");
}

TEST_CASE("a torn last record is skipped and the records before and after it are read",
          "[isolation]") {
  TempFile file;
  SampleHttp http;
  SampleWs ws;
  SampleOutbox outbox;
  const auto crash_with = [&](const InputInFlight& in) {
    require_killed_by(run_child(file,
                                [&] {
                                  InputScope scope(in);
                                  write_through_null();
                                }),
                      SIGSEGV);
  };
  crash_with(http.input);
  crash_with(ws.input);
  // The second record killed mid-write: its last bytes never reached the file.
  fs::resize_file(file.path, fs::file_size(file.path) - 5);
  auto records = read_crash_records(file.str());
  REQUIRE(records.size() == 1);
  check_same_input(records[0], http.input);

  // The next start's crash is appended after the torn one.
  crash_with(outbox.input);
  records = read_crash_records(file.str());
  REQUIRE(records.size() == 2);
  check_same_input(records[0], http.input);
  check_same_input(records[1], outbox.input);
}

TEST_CASE("garbage, a missing file and a cleared file read as no records", "[isolation]") {
  TempFile file;
  CHECK(read_crash_records(file.str()).empty());
  std::ofstream(file.path, std::ios::binary) << "OGcr\x01\x00\x00\x00garbage OGcr OGce";
  CHECK(read_crash_records(file.str()).empty());

  SampleOutbox outbox;
  require_killed_by(run_child(file,
                              [&] {
                                InputScope scope(outbox.input);
                                write_through_null();
                              }),
                    SIGSEGV);
  REQUIRE(read_crash_records(file.str()).size() == 1);  // after the garbage
  clear_crash_records(file.str());
  CHECK(fs::file_size(file.path) == 0);
  CHECK(read_crash_records(file.str()).empty());
  clear_crash_records((file.dir / "missing").string());  // nothing to clear: no error
  CHECK_FALSE(fs::exists(file.dir / "missing"));
}
