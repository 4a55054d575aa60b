// The plugin host marks every input it hands a plugin (InputScope in plugin_instance.cpp), so
// a plugin that kills the process leaves a crash record naming that input. Driven with the
// broken_channel fixture (tests/isolation/fixtures) in a forked child that really dies; the
// fixture's harmless paths are checked in process.
#include "isolation/crash_recorder.hpp"
#include "plugin_host/plugin_host.hpp"

#include "core/sha256.hpp"
#include "host_test_env.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <future>
#include <mutex>

namespace fs = std::filesystem;
using namespace omnigate;
using namespace omnigate::isolation;
using namespace std::string_literals;

namespace {

// The fixture as instance "broken", on a real store and executor, its routes on a Router.
struct BrokenHost {
  test::HostTestEnv env;
  PluginHost host;
  http::Router router;

  BrokenHost() : host(*env.executor, *env.store, env.metrics, options(env)) {
    config::PluginInstanceConfig c;
    c.instance = "broken";
    c.file = OG_BROKEN_CHANNEL_PLUGIN;
    c.config_json = "{}";
    host.start({c});
    host.register_routes(router);
  }
  static PluginHostOptions options(const test::HostTestEnv& env) {
    PluginHostOptions o;
    o.attachments_dir = (env.dir / "attachments").string();
    return o;
  }

  SendOutcome send(int64_t outbox_id, const std::string& body) {
    store::OutboxItem item;
    item.id = outbox_id;
    item.channel_instance = "broken";
    item.idempotency_key = "outbox-" + std::to_string(outbox_id);
    item.to_kind = "phone";
    item.to_address = "+15551239999";
    item.body_text = body;
    auto promise = std::make_shared<std::promise<SendOutcome>>();
    auto future = promise->get_future();
    host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
    REQUIRE(future.wait_for(test::kDeadline) == std::future_status::ready);
    return future.get();
  }
};

class RecordingConnection final : public http::WsConnection {
 public:
  explicit RecordingConnection(uint64_t id) : id_(id) {}
  uint64_t id() const override { return id_; }
  bool send(std::string data, bool) override {
    std::lock_guard lock(mu_);
    sent_.push_back(std::move(data));
    return true;
  }
  void close(int, std::string) override {}
  std::vector<std::string> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  uint64_t id_;
  std::mutex mu_;
  std::vector<std::string> sent_;
};

const http::WsHandler& ws_route(BrokenHost& b) {
  const auto match = b.router.match_ws("/channels/broken/ws");
  REQUIRE(match.ws_handler != nullptr);
  return *match.ws_handler;
}

http::Request upgrade_request() {
  http::Request req;
  req.method = "GET";
  req.path = "/channels/broken/ws";
  req.target = req.path;
  return req;
}

const http::HeaderList kFormHeaders = {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"X-Provider-Signature", "sig=="}};

struct TempDir {
  fs::path dir = fs::temp_directory_path() / ("og_crashrec_host_" + std::to_string(::getpid()));
  std::string records = (dir / "crash-records").string();
  TempDir() { fs::create_directories(dir); }
  ~TempDir() { fs::remove_all(dir); }
};

// Runs `crash` against a BrokenHost in a child with the recorder installed; the child's store
// lives under `tmp` (removed by the parent). Returns the child's wait status.
int run_child(const TempDir& tmp, const std::function<void(BrokenHost&)>& crash) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::setenv("TMPDIR", tmp.dir.c_str(), 1);
    try {
      install_crash_recorder(tmp.records);
      BrokenHost b;
      crash(b);
      // The plugin runs on the instance's strand: give it time to kill us.
      std::this_thread::sleep_for(test::kDeadline);
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

CrashRecord only_record(const TempDir& tmp, int status, int sig) {
  INFO("wait status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == sig);
  auto records = read_crash_records(tmp.records);
  REQUIRE(records.size() == 1);
  CHECK(records[0].signal == sig);
  REQUIRE(records[0].has_input);
  CHECK_FALSE(records[0].truncated);
  return records[0];
}

}  // namespace

TEST_CASE("a crash in a route handler is recorded with the request the plugin got", "[isolation]") {
  TempDir tmp;
  const std::string body = "id=SM-poison&text=please+CRASH+now&from=%2B15550002222";
  const int status = run_child(tmp, [&](BrokenHost& b) {
    (void)test::call_route(b.router, "POST", "/channels/broken/inbound?v=1", body, kFormHeaders);
  });
  const CrashRecord r = only_record(tmp, status, SIGSEGV);
  CHECK(r.input.kind == InputKind::http);
  CHECK(r.input.instance == "broken");
  CHECK(r.input.method == "POST");
  CHECK(r.input.target == "/channels/broken/inbound?v=1");
  CHECK(r.input.path == "/inbound");
  CHECK(r.input.headers == kFormHeaders);
  CHECK(r.input.body == body);
  CHECK(r.input.remote_addr == "203.0.113.7");
  CHECK(r.input.key() == sha256_hex("broken\0http\0POST\0/inbound\0"s + body));
}

TEST_CASE("an abort in a route handler is recorded too", "[isolation]") {
  TempDir tmp;
  const int status = run_child(tmp, [](BrokenHost& b) {
    (void)test::call_route(b.router, "POST", "/channels/broken/inbound", "id=SM2&text=ABORT",
                           kFormHeaders);
  });
  const CrashRecord r = only_record(tmp, status, SIGABRT);
  CHECK(r.input.kind == InputKind::http);
  CHECK(r.input.body == "id=SM2&text=ABORT");
}

TEST_CASE("a crash in on_message is recorded with the frame and the route", "[isolation]") {
  TempDir tmp;
  const int status = run_child(tmp, [](BrokenHost& b) {
    const auto& ws = ws_route(b);
    REQUIRE(ws.on_open(upgrade_request(), std::make_shared<RecordingConnection>(5)));
    ws.on_message(5, "{\"t\":\"CRASH\"}", true);
  });
  const CrashRecord r = only_record(tmp, status, SIGSEGV);
  CHECK(r.input.kind == InputKind::ws);
  CHECK(r.input.instance == "broken");
  CHECK(r.input.ws_path == "/ws");
  CHECK(r.input.ws_frame == "{\"t\":\"CRASH\"}");
  CHECK(r.input.ws_is_text);
  CHECK(r.input.key() == sha256_hex("broken\0ws\0/ws\0{\"t\":\"CRASH\"}"s));
}

TEST_CASE("a crash in send_message is recorded with the outbox row", "[isolation]") {
  TempDir tmp;
  const int status = run_child(tmp, [](BrokenHost& b) { (void)b.send(77, "this will CRASH"); });
  const CrashRecord r = only_record(tmp, status, SIGSEGV);
  CHECK(r.input.kind == InputKind::outbox);
  CHECK(r.input.instance == "broken");
  CHECK(r.input.outbox_id == 77);
  CHECK(r.input.key() == "outbox:77");
}

TEST_CASE("a crash in lookup_send is recorded with the outbox row", "[isolation]") {
  TempDir tmp;
  const int status = run_child(tmp, [](BrokenHost& b) {
    store::OutboxItem item;
    item.id = 78;
    item.channel_instance = "broken";
    item.idempotency_key = "outbox-78";
    item.body_text = "CRASH again";
    item.attempts = 1;
    b.host.lookup(item, [](LookupOutcome) {});
  });
  const CrashRecord r = only_record(tmp, status, SIGSEGV);
  CHECK(r.input.kind == InputKind::outbox);
  CHECK(r.input.outbox_id == 78);
  CHECK(r.input.key() == "outbox:78");
}

TEST_CASE("the broken channel fixture serves unmarked input normally", "[isolation]") {
  BrokenHost b;
  const auto ping = test::call_route(b.router, "GET", "/channels/broken/ping");
  REQUIRE(ping.has_value());
  CHECK(ping->status == 200);
  CHECK(ping->body == "pong");

  const auto stored = test::call_route(b.router, "POST", "/channels/broken/inbound",
                                       "id=SM-ok&text=hello+there", kFormHeaders);
  REQUIRE(stored.has_value());
  CHECK(stored->status == 200);
  CHECK(stored->body == "ok");

  const auto starts = test::call_route(b.router, "GET", "/channels/broken/kv?k=starts");
  REQUIRE(starts.has_value());
  CHECK(starts->status == 200);
  CHECK(starts->body == "1");

  // The timer counts and the posted task ran.
  CHECK(test::eventually([&] {
    const auto state = test::call_route(b.router, "GET", "/channels/broken/state");
    return state && state->body.find("posted=1") != std::string::npos &&
           state->body.find("ticks=0") == std::string::npos;
  }));

  const auto& ws = ws_route(b);
  auto conn = std::make_shared<RecordingConnection>(9);
  REQUIRE(ws.on_open(upgrade_request(), conn));
  ws.on_message(9, "hello", true);
  CHECK(test::eventually([&] { return conn->sent() == std::vector<std::string>{"hello"}; }));

  const SendOutcome sent = b.send(12, "a fine reply");
  CHECK(sent.kind == SendOutcome::Kind::sent);
  CHECK(sent.provider_message_id.rfind("sent-", 0) == 0);
}
