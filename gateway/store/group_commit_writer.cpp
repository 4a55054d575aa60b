#include "store/group_commit_writer.hpp"

#include <exception>
#include <utility>
#include <vector>

namespace omnigate::store {

GroupCommitWriter::GroupCommitWriter(sqlite::Connection& db, int max_batch, BatchHooks hooks)
    : db_(db),
      max_batch_(static_cast<std::size_t>(max_batch > 0 ? max_batch : 1)),
      hooks_(std::move(hooks)) {
  thread_ = std::thread([this] { run(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  thread_.join();
}

void GroupCommitWriter::submit(QueuedWrite write) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(write));
  }
  queue_cv_.notify_one();
}

void GroupCommitWriter::with_exclusive(const std::function<void(sqlite::Connection&)>& fn) {
  std::lock_guard lock(db_mutex_);
  fn(db_);
}

void GroupCommitWriter::run() {
  for (;;) {
    std::deque<QueuedWrite> batch;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Whatever arrived while the previous batch committed forms this batch.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
  }
}

void GroupCommitWriter::commit_batch(std::deque<QueuedWrite>& batch) {
  std::vector<std::string> errors(batch.size());
  std::string batch_error;
  {
    std::lock_guard lock(db_mutex_);
    try {
      db_.exec("BEGIN IMMEDIATE");
      if (hooks_.begun) hooks_.begun(db_);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        // Cached: a savepoint pair per write is on the hot path of every webhook.
        sqlite::Query(db_.cached("SAVEPOINT w")).step();
        try {
          batch[i].apply(db_);
          sqlite::Query(db_.cached("RELEASE w")).step();
        } catch (const std::exception& e) {
          errors[i] = e.what();
          sqlite::Query(db_.cached("ROLLBACK TO w")).step();
          sqlite::Query(db_.cached("RELEASE w")).step();
        }
      }
      db_.exec("COMMIT");
    } catch (const std::exception& e) {
      batch_error = std::string("commit failed: ") + e.what();
      try {
        db_.exec("ROLLBACK");
      } catch (const std::exception&) {
        // No transaction left to roll back (BEGIN itself failed): nothing to undo.
      }
      if (hooks_.rolled_back) hooks_.rolled_back();
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].finish) continue;
    const std::string& error = batch_error.empty() ? errors[i] : batch_error;
    try {
      batch[i].finish(error.empty(), error);
    } catch (...) {
      // A throwing completion must not kill the writer (and with it every later write).
    }
  }
}

}  // namespace omnigate::store
