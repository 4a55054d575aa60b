// The single writer: owns the write connection and commits queued writes in batches. One
// BEGIN IMMEDIATE ... COMMIT (one fsync) covers up to max_batch writes, each inside its own
// SAVEPOINT so a failing write is rolled back alone. Completions run only after COMMIT.
#pragma once

#include "store/sqlite_db.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace omnigate::store {

struct QueuedWrite {
  // Runs inside the batch's transaction; throws to have this write (alone) rolled back.
  std::function<void(sqlite::Connection&)> apply;
  // Called on the writer thread after the batch committed (ok) or failed (ok=false + error).
  std::function<void(bool ok, const std::string& error)> finish;
};

class GroupCommitWriter {
 public:
  // Called on the writer thread with the connection: right after a batch's BEGIN (the write
  // lock is held), and after a batch was rolled back as a whole.
  struct BatchHooks {
    std::function<void(sqlite::Connection&)> begun;
    std::function<void()> rolled_back;
  };

  GroupCommitWriter(sqlite::Connection& db, int max_batch, BatchHooks hooks = {});
  ~GroupCommitWriter();  // drains the queue, then joins the thread
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void submit(QueuedWrite write);
  // Runs `fn` with the write connection while no batch is running (migrations).
  void with_exclusive(const std::function<void(sqlite::Connection&)>& fn);

 private:
  void run();
  void commit_batch(std::deque<QueuedWrite>& batch);

  sqlite::Connection& db_;
  const std::size_t max_batch_;
  const BatchHooks hooks_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<QueuedWrite> queue_;
  bool stopping_ = false;
  std::mutex db_mutex_;  // held while a batch (or with_exclusive) uses the connection
  std::thread thread_;
};

}  // namespace omnigate::store
