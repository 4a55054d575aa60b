// The call channel between the gateway and a plugin-host process (plugin_process/rpc_channel.hpp),
// both ends in this process over a socketpair, each side's top-level frames served by its own
// thread as the real processes do (the gateway's worker, the child's dispatcher): calls,
// nested calls on the waiting thread, notifications in order with calls, many callers at once,
// deadlines, one end closing, and a peer that sends bytes that are not frames.
//
// Catch2's assertions are not thread-safe: handlers on other threads only record, and the test
// thread checks the records.
#include "plugin_process/rpc_channel.hpp"
#include "plugin_process/wire.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace omnigate::plugin_process;
using namespace std::chrono_literals;

namespace {

// Long enough that only a broken channel ever reaches it; never a measure of speed.
constexpr auto kHang = 60s;

// One end of the channel, as a process runs it: the channel's reader thread, and a worker
// thread that serves the frames that open lanes.
class Side {
 public:
  using Handler = std::function<std::string(std::uint32_t method, std::string_view payload)>;

  Side(int fd, bool odd_lanes, std::size_t max_frame_bytes = 256u << 20)
      : channel_(
            fd, odd_lanes,
            [this](std::uint32_t method, std::string_view payload) {
              return on_call(method, payload);
            },
            [this](Frame frame) { queue_.push(std::move(frame)); },
            [this](const std::string& why) {
              std::lock_guard lock(mu_);
              ++closed_count_;
              close_reason_ = why;
              cv_.notify_all();
            },
            max_frame_bytes) {}

  ~Side() {
    channel_.close("test over");
    queue_.close();
    if (worker_.joinable()) worker_.join();
  }
  Side(const Side&) = delete;
  Side& operator=(const Side&) = delete;

  void start() {
    channel_.start();
    worker_ = std::thread([this] {
      while (auto frame = queue_.pop()) channel_.serve(std::move(*frame));
    });
  }

  RpcChannel& channel() { return channel_; }

  // Waits until on_closed has run; false if it never does.
  bool wait_closed() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHang, [&] { return closed_count_ > 0; });
  }
  int closed_count() {
    std::lock_guard lock(mu_);
    return closed_count_;
  }
  std::string close_reason() {
    std::lock_guard lock(mu_);
    return close_reason_;
  }

  Handler on_call = [](std::uint32_t, std::string_view) { return std::string(); };

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int closed_count_ = 0;
  std::string close_reason_;
  TopLevelQueue queue_;
  RpcChannel channel_;  // after what its callbacks use: destroyed (and its reader joined) first
  std::thread worker_;
};

struct SocketPair {
  SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0); }
  int fd[2] = {-1, -1};
};

// The gateway's end (even lanes) and the child's (odd lanes).
struct Channels {
  SocketPair pair;
  Side gateway{pair.fd[0], false};
  Side child{pair.fd[1], true};
  void start() {
    gateway.start();
    child.start();
  }
};

// Records from any thread, read by the test thread afterwards.
template <class T>
class Log {
 public:
  void add(T item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    cv_.notify_all();
  }
  std::vector<T> items() {
    std::lock_guard lock(mu_);
    return items_;
  }
  bool wait_for_size(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHang, [&] { return items_.size() >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

// A frame as the channel writes it: u32 length of the rest | u8 type | u32 method | u64 lane |
// u64 call id | payload.
std::string raw_frame(std::uint32_t length, std::uint8_t type, std::uint32_t method,
                      std::uint64_t lane, std::uint64_t call_id, std::string_view payload) {
  WireWriter w;
  w.u32(length);
  w.u8(type);
  w.u32(method);
  w.u64(lane);
  w.u64(call_id);
  w.bytes().append(payload);
  return w.take();
}
constexpr std::uint32_t kHeaderAfterLength = 1 + 4 + 8 + 8;

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    REQUIRE(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

TEST_CASE("rpc channel: a call returns the peer's result, both ways", "[plugin_process][rpc]") {
  Channels c;
  c.child.on_call = [](std::uint32_t method, std::string_view payload) {
    return "child " + std::to_string(method) + ": " + std::string(payload);
  };
  c.gateway.on_call = [](std::uint32_t method, std::string_view payload) {
    return "gateway " + std::to_string(method) + ": " + std::string(payload);
  };
  c.start();

  CallFailure failure = CallFailure::closed;
  const std::string binary("a\0b\xff", 4);
  CHECK(c.gateway.channel().call(7, binary, std::nullopt, &failure) == "child 7: " + binary);
  CHECK(failure == CallFailure::none);
  CHECK(c.gateway.channel().call(8, "", std::nullopt) == "child 8: ");
  CHECK(c.child.channel().call(9, "up", std::nullopt) == "gateway 9: up");
}

TEST_CASE("rpc channel: nested calls run on the thread that waits for the outer call",
          "[plugin_process][rpc]") {
  Channels c;
  struct Handled {
    int depth;
    std::thread::id thread;
  };
  Log<Handled> handled;
  // Each handler calls the other side one level deeper, to six levels: three round trips
  // nested in each direction inside the first call.
  auto nesting = [&handled](Side& self) {
    return [&handled, &self](std::uint32_t, std::string_view payload) {
      const int depth = std::stoi(std::string(payload));
      handled.add({depth, std::this_thread::get_id()});
      if (depth == 6) return std::string("6");
      const auto inner = self.channel().call(1, std::to_string(depth + 1), std::nullopt);
      return std::to_string(depth) + ">" + inner.value_or("(no result)");
    };
  };
  c.gateway.on_call = nesting(c.gateway);
  c.child.on_call = nesting(c.child);
  c.start();

  auto check_run = [&](std::thread::id caller_thread) {
    const auto items = handled.items();
    REQUIRE(items.size() == 6);
    const std::thread::id peer_thread = items[0].thread;
    CHECK(peer_thread != caller_thread);
    for (const auto& item : items) {
      INFO("depth " << item.depth);
      // Odd depths are the peer's handlers (its worker serves the call that opened the lane),
      // even depths the caller's own, run by the very thread that waits in caller.call().
      CHECK(item.thread == (item.depth % 2 == 1 ? peer_thread : caller_thread));
    }
  };

  SECTION("started by the gateway") {
    const auto result = c.gateway.channel().call(1, "1", std::nullopt);
    CHECK(result == "1>2>3>4>5>6");
    check_run(std::this_thread::get_id());
  }
  SECTION("started by the child, from a thread of the plugin's own") {
    std::optional<std::string> result;
    std::thread::id caller_thread;
    std::thread plugin_thread([&] {
      caller_thread = std::this_thread::get_id();
      result = c.child.channel().call(1, "1", std::nullopt);
    });
    plugin_thread.join();
    CHECK(result == "1>2>3>4>5>6");
    check_run(caller_thread);
  }
}

TEST_CASE("rpc channel: notifications are handled in order with the calls of their lane",
          "[plugin_process][rpc]") {
  Channels c;
  struct Seen {
    std::uint32_t method;
    std::string payload;
    std::thread::id thread;
  };
  Log<Seen> gateway_seen;
  Log<Seen> child_seen;
  c.gateway.on_call = [&](std::uint32_t method, std::string_view payload) {
    gateway_seen.add({method, std::string(payload), std::this_thread::get_id()});
    return std::string("ok");
  };
  c.child.on_call = [&](std::uint32_t method, std::string_view payload) {
    child_seen.add({method, std::string(payload), std::this_thread::get_id()});
    if (method == 1) {  // a route handler: notifies and calls the host inside the call
      c.child.channel().notify(10, "n1");
      const auto r = c.child.channel().call(11, "c1", std::nullopt);
      c.child.channel().notify(10, "n2");
      c.child.channel().notify(10, "n3");
      return "handled after " + r.value_or("nothing");
    }
    return std::string("ok");
  };
  c.start();

  SECTION("inside a call: in the caller's lane, on the caller's thread") {
    CHECK(c.gateway.channel().call(1, "request", std::nullopt) == "handled after ok");
    const auto seen = gateway_seen.items();
    // n2 and n3 were sent before the result, so they were handled before call() returned.
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].payload == "n1");
    CHECK(seen[1].payload == "c1");
    CHECK(seen[2].payload == "n2");
    CHECK(seen[3].payload == "n3");
    for (const auto& s : seen) CHECK(s.thread == std::this_thread::get_id());
  }
  SECTION(
      "outside any lane: in the order sent; calls on the peer's worker, notifications on its "
      "reader before anything sent after them") {
    c.gateway.channel().notify(20, "t1");
    CHECK(c.gateway.channel().call(21, "t2", std::nullopt) == "ok");
    c.gateway.channel().notify(20, "t3");
    c.gateway.channel().notify(20, "t4");
    CHECK(c.gateway.channel().call(21, "t5", std::nullopt) == "ok");
    const auto seen = child_seen.items();
    REQUIRE(seen.size() == 5);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].payload == "t" + std::to_string(i + 1));
      CHECK(seen[i].thread != std::this_thread::get_id());
    }
    CHECK(seen[1].thread == seen[4].thread);  // both calls: the worker
    CHECK(seen[0].thread == seen[2].thread);  // the notifications: the reader
    CHECK(seen[0].thread != seen[1].thread);
  }
}

TEST_CASE(
    "rpc channel: what a peer's own thread notified before a result is done when the result "
    "arrives",
    "[plugin_process][rpc]") {
  // A plugin thread's metric_record (a notification outside any lane) joined before the handler
  // returns: in one process it is visible when the handler's reply goes out, so it must be here.
  Channels c;
  Log<std::string> gateway_seen;
  c.gateway.on_call = [&](std::uint32_t, std::string_view payload) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow host function
    gateway_seen.add(std::string(payload));
    return std::string();
  };
  c.child.on_call = [&](std::uint32_t, std::string_view) {
    std::thread plugin_thread([&] {
      for (int i = 0; i < 5; ++i) c.child.channel().notify(30, "record " + std::to_string(i));
    });
    plugin_thread.join();
    return std::string("done");
  };
  c.start();
  for (int round = 0; round < 20; ++round) {
    REQUIRE(c.gateway.channel().call(1, "handler", std::nullopt) == "done");
    CHECK(gateway_seen.items().size() == static_cast<std::size_t>(5 * (round + 1)));
  }
}

TEST_CASE("rpc channel: many threads calling at once each get their own result",
          "[plugin_process][rpc]") {
  Channels c;
  thread_local int t_caller = -1;  // which calling thread this is (a plain int: no TLS destructor)
  // The gateway's handler answers with the number of the calling thread it runs on: a nested
  // call that reached the wrong waiting thread would answer with another caller's number.
  c.gateway.on_call = [](std::uint32_t method, std::string_view payload) {
    if (method == 2) return std::string(payload) + "@" + std::to_string(t_caller);
    return "gateway:" + std::string(payload);
  };
  c.child.on_call = [&](std::uint32_t, std::string_view payload) {
    const auto inner = c.child.channel().call(2, std::string(payload), std::nullopt);
    return "child:" + inner.value_or("(no result)");
  };
  c.start();

  constexpr int kThreads = 8;
  constexpr int kCalls = 150;
  std::atomic<int> matched{0};
  std::atomic<int> mismatched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      t_caller = t;
      for (int i = 0; i < kCalls; ++i) {
        const std::string payload = std::to_string(t) + "/" + std::to_string(i);
        const auto r = c.gateway.channel().call(1, payload, std::nullopt);
        (r == "child:" + payload + "@" + std::to_string(t) ? matched : mismatched)++;
      }
    });
  }
  // Meanwhile the plugin's own threads call the gateway (served by its worker).
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string payload = "p" + std::to_string(t) + "/" + std::to_string(i);
        const auto r = c.child.channel().call(3, payload, std::nullopt);
        (r == "gateway:" + payload ? matched : mismatched)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(mismatched == 0);
  CHECK(matched == (kThreads + 2) * kCalls);
}

TEST_CASE(
    "rpc channel: a call whose deadline passes fails with deadline, and its late result "
    "is dropped",
    "[plugin_process][rpc]") {
  Channels c;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  c.child.on_call = [released](std::uint32_t method, std::string_view) {
    if (method == 1) {
      released.wait();  // a plugin stuck in its handler
      return std::string("late");
    }
    return std::string("fast");
  };
  c.start();

  CallFailure failure = CallFailure::none;
  const auto r = c.gateway.channel().call(1, "", std::chrono::steady_clock::now() + 50ms, &failure);
  CHECK_FALSE(r.has_value());
  CHECK(failure == CallFailure::deadline);
  CHECK_FALSE(c.gateway.channel().closed());

  release.set_value();  // "late" is sent now, to a lane nobody waits in any more
  CHECK(c.gateway.channel().call(2, "", std::nullopt, &failure) == "fast");
  CHECK(failure == CallFailure::none);
  CHECK(c.gateway.channel().call(2, "", std::chrono::steady_clock::now() + kHang, &failure) ==
        "fast");
}

TEST_CASE("rpc channel: when one end closes, every call waiting on the other returns closed",
          "[plugin_process][rpc]") {
  Channels c;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> first{true};
  c.child.on_call = [&, released](std::uint32_t, std::string_view) {
    if (first.exchange(false)) entered.set_value();
    released.wait();
    return std::string("never seen");
  };
  c.start();

  // One call is inside the child's handler; the others wait behind it in the child's queue.
  std::vector<CallFailure> failures(4, CallFailure::none);
  std::vector<std::optional<std::string>> results(4);
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < failures.size(); ++i) {
    callers.emplace_back(
        [&, i] { results[i] = c.gateway.channel().call(1, "x", std::nullopt, &failures[i]); });
  }
  entered.get_future().wait();

  SECTION("the child closes its end") {
    c.child.channel().close("child stops");
  }
  SECTION("the child's socket is shut down under it") {
    ::shutdown(c.pair.fd[1], SHUT_RDWR);
  }
  for (auto& t : callers) t.join();
  for (std::size_t i = 0; i < failures.size(); ++i) {
    CHECK_FALSE(results[i].has_value());
    CHECK(failures[i] == CallFailure::closed);
  }
  REQUIRE(c.gateway.wait_closed());
  CHECK(c.gateway.channel().closed());
  CallFailure failure = CallFailure::none;
  CHECK_FALSE(c.gateway.channel().call(1, "after", std::nullopt, &failure).has_value());
  CHECK(failure == CallFailure::closed);
  c.gateway.channel().close("closed again");
  release.set_value();
  REQUIRE(c.child.wait_closed());
  CHECK(c.gateway.closed_count() == 1);
  CHECK(c.child.closed_count() == 1);
}

TEST_CASE("rpc channel: a handler that throws closes the channel as broken",
          "[plugin_process][rpc]") {
  Channels c;
  c.child.on_call = [](std::uint32_t, std::string_view) -> std::string {
    throw WireError("frame ends inside a value");
  };
  c.start();
  CallFailure failure = CallFailure::none;
  CHECK_FALSE(c.gateway.channel().call(1, "x", std::nullopt, &failure).has_value());
  CHECK(failure == CallFailure::closed);
  REQUIRE(c.child.wait_closed());
  CHECK(c.child.close_reason() == "bad frame from the peer: frame ends inside a value");
  REQUIRE(c.gateway.wait_closed());
}

TEST_CASE("rpc channel: bytes that are not a frame close the channel", "[plugin_process][rpc]") {
  constexpr std::uint32_t kMax = 1024;
  SocketPair pair;
  const int peer = pair.fd[1];  // the test writes raw bytes here
  Log<std::string> notified;
  {
    Side gateway(pair.fd[0], false, kMax);
    gateway.on_call = [&](std::uint32_t, std::string_view payload) {
      notified.add(std::string(payload));
      return std::string();
    };
    gateway.start();

    // A frame of exactly the limit is still a frame.
    const std::string payload(kMax - kHeaderAfterLength, 'p');
    write_all(peer, raw_frame(kMax, 3, 9, 1, 0, payload));
    REQUIRE(notified.wait_for_size(1));
    CHECK(notified.items()[0] == payload);

    // A call waiting on the gateway's side when the bad bytes come.
    std::optional<std::string> result;
    CallFailure failure = CallFailure::none;
    std::thread caller([&] { result = gateway.channel().call(1, "x", std::nullopt, &failure); });
    char sent[kHeaderAfterLength + 4 + 1];
    std::size_t got = 0;
    while (got < sizeof sent) {  // the call's frame has left: the caller is waiting
      const ssize_t n = ::read(peer, sent + got, sizeof sent - got);
      REQUIRE(n > 0);
      got += static_cast<std::size_t>(n);
    }

    std::string expected_reason;
    SECTION("longer than max_frame_bytes") {
      write_all(peer, raw_frame(kMax + 1, 3, 9, 1, 0, ""));
      expected_reason = "bad frame length 1025";
    }
    SECTION("shorter than a frame header") {
      write_all(peer, raw_frame(kHeaderAfterLength - 1, 3, 9, 1, 0, ""));
      expected_reason = "bad frame length 20";
    }
    SECTION("an unknown frame type") {
      write_all(peer, raw_frame(kHeaderAfterLength, 4, 9, 1, 0, ""));
      expected_reason = "bad frame type 4";
    }
    SECTION("frame type zero") {
      write_all(peer, raw_frame(kHeaderAfterLength, 0, 9, 1, 0, ""));
      expected_reason = "bad frame type 0";
    }
    caller.join();
    CHECK_FALSE(result.has_value());
    CHECK(failure == CallFailure::closed);
    REQUIRE(gateway.wait_closed());
    CHECK(gateway.close_reason() == expected_reason);
    CHECK(notified.items().size() == 1);
  }
  ::close(peer);
}
