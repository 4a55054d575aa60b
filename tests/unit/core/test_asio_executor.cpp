#include "core/asio_executor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

using namespace omnigate;
using namespace std::chrono_literals;

namespace {

// Waits for `n` signals (bounded so a bug fails the test instead of hanging it).
class Latch {
 public:
  explicit Latch(int n) : left_(n) {}
  void count_down() {
    std::lock_guard lock(mu_);
    if (--left_ == 0) cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return left_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_;
};

}  // namespace

TEST_CASE("posted work runs on the worker threads") {
  auto ex = make_asio_executor(2);
  ex->run();
  Latch done(100);
  for (int i = 0; i < 100; ++i) ex->post([&] { done.count_down(); });
  CHECK(done.wait());
  ex->stop();
}

TEST_CASE("handlers on one strand never overlap and keep their order") {
  auto ex = make_asio_executor(4);
  ex->run();
  auto strand = ex->make_strand();
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::vector<int> order;  // only touched on the strand
  Latch done(2000);
  for (int i = 0; i < 2000; ++i) {
    strand->post([&, i] {
      if (inside.fetch_add(1) != 0) overlapped = true;
      order.push_back(i);
      inside.fetch_sub(1);
      done.count_down();
    });
  }
  REQUIRE(done.wait());
  ex->stop();
  CHECK_FALSE(overlapped);
  REQUIRE(order.size() == 2000);
  for (int i = 0; i < 2000; ++i) REQUIRE(order[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("post_after runs the function on its strand after the delay") {
  auto ex = make_asio_executor(2);
  ex->run();
  auto strand = ex->make_strand();
  std::promise<void> ran;
  const auto start = std::chrono::steady_clock::now();
  strand->post_after(30ms, [&] { ran.set_value(); });
  REQUIRE(ran.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  ex->stop();
}

TEST_CASE("cancel stops a pending timer and reports whether it did") {
  auto ex = make_asio_executor(2);
  ex->run();
  auto strand = ex->make_strand();
  std::atomic<bool> cancelled_ran{false};
  const auto id = strand->post_after(10min, [&] { cancelled_ran = true; });
  CHECK(strand->cancel(id));
  CHECK_FALSE(strand->cancel(id));       // already cancelled
  CHECK_FALSE(strand->cancel(id + 99));  // unknown

  std::promise<void> ran;
  const auto fired = strand->post_after(1ms, [&] { ran.set_value(); });
  REQUIRE(ran.get_future().wait_for(10s) == std::future_status::ready);
  CHECK_FALSE(strand->cancel(fired));  // already ran
  ex->stop();
  CHECK_FALSE(cancelled_ran);
}

TEST_CASE("work posted before run() waits for it") {
  auto ex = make_asio_executor(1);
  std::promise<void> ran;
  ex->post([&] { ran.set_value(); });
  auto f = ran.get_future();
  CHECK(f.wait_for(20ms) == std::future_status::timeout);
  ex->run();
  CHECK(f.wait_for(10s) == std::future_status::ready);
  ex->stop();
}
