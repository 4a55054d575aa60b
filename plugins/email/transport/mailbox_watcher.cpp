#include "mailbox_watcher.hpp"

#include <omnigate/plugin_abi.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace omnigate::email {
namespace {

const char* const kImportedKeyword = "$OmnigateImported";

// What became of one mail handed to the sink.
enum class Delivery {
  pending,    // handed over, no answer yet
  committed,  // stored; its after-import action (flag/move) is still to do
  done,       // stored and flagged/moved: only waits for the cursor to pass it
  failed,     // the sink could not store it: offered again after the reconnect
};

// A self-pipe: written to stop or wake the watcher (also from the sink's threads), polled by
// it next to the IMAP socket.
class WakePipe {
 public:
  WakePipe() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  ~WakePipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  WakePipe(const WakePipe&) = delete;
  WakePipe& operator=(const WakePipe&) = delete;

  int read_fd() const { return fds_[0]; }
  void signal() noexcept {
    char byte = 1;
    (void)!::write(fds_[1], &byte, 1);  // a full pipe already wakes the reader
  }
  void drain() noexcept {
    char buffer[64];
    while (::read(fds_[0], buffer, sizeof buffer) > 0) {
    }
  }
  // Sleeps up to `limit` or until signalled.
  void wait(std::chrono::milliseconds limit) const {
    pollfd watched{fds_[0], POLLIN, 0};
    poll(&watched, 1, static_cast<int>(std::max<int64_t>(limit.count(), 0)));
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace

// Shared with the sink's `committed` callbacks, which may run on any thread and even after
// the watcher is gone: they hold it by shared_ptr.
struct CommitBoard {
  std::mutex mutex;
  uint64_t epoch = 0;  // bumped when UIDVALIDITY changes: older answers are for other UIDs
  std::map<uint32_t, Delivery> deliveries;  // by UID, every mail past the cursor handed over
  bool committed_since_connect = false;
  int failed_since_connect = 0;
  WakePipe wake;
  std::atomic<bool> stopping{false};

  void answer(uint64_t answer_epoch, uint32_t uid, bool committed) {
    {
      std::lock_guard lock(mutex);
      auto it = deliveries.find(uid);
      if (answer_epoch != epoch || it == deliveries.end() || it->second != Delivery::pending) {
        return;
      }
      it->second = committed ? Delivery::committed : Delivery::failed;
      committed_since_connect |= committed;
      failed_since_connect += !committed;
    }
    wake.signal();
  }
};

struct MailboxWatcher::Impl {
  WatcherSettings settings;
  MailboxSink& sink;
  std::shared_ptr<CommitBoard> board = std::make_shared<CommitBoard>();
  std::thread thread;
  MailboxCursor cursor;
  bool healthy = false;  // the current connection did some good (see serve())

  Impl(WatcherSettings s, MailboxSink& k) : settings(std::move(s)), sink(k) {}

  // UIDs per FETCH and per STORE/MOVE.
  size_t batch_size() const { return static_cast<size_t>(std::max(settings.fetch_batch, 1)); }

  std::string where() const { return settings.server.host + "/" + settings.folder; }

  void run() {
    cursor = sink.load_cursor().value_or(MailboxCursor{});
    int backoff = 1;
    while (!board->stopping) {
      ImapSession session(settings.server, settings.folder);
      healthy = false;
      try {
        session.open();
        serve(session);
      } catch (const std::exception& error) {
        if (healthy) backoff = 1;
        sink.log(OG_LOG_WARN, "imap " + where() + ": " + error.what() + "; reconnecting in " +
                                  std::to_string(backoff) + " s");
        sink.pass_done(0, false);
        session.close();
        pause(backoff);
        backoff = std::min(backoff * 2, std::max(settings.max_backoff_seconds, 1));
      }
    }
  }

  // Waits `seconds` unless stopped; commits and wake() do not cut a back-off short.
  void pause(int seconds) {
    using Clock = std::chrono::steady_clock;
    const auto until = Clock::now() + std::chrono::seconds(seconds);
    while (!board->stopping && Clock::now() < until) {
      board->wake.drain();
      board->wake.wait(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    }
  }

  // One connection's passes, until stop() or an error (thrown: the caller reconnects). A
  // connection is healthy, and resets the back-off, once a mail was committed through it or
  // it found nothing to import.
  void serve(ImapSession& session) {
    adopt_uid_validity(session.uid_validity());
    {
      std::lock_guard lock(board->mutex);
      board->failed_since_connect = 0;
      board->committed_since_connect = false;
    }
    while (!board->stopping) {
      board->wake.drain();
      finish_committed(session);
      int failed = 0;
      {
        std::lock_guard lock(board->mutex);
        failed = board->failed_since_connect;
        healthy |= board->committed_since_connect;
      }
      if (failed > 0) {
        // Offered again from the next connection on, after the back-off.
        throw ImapError("the gateway could not store " + std::to_string(failed) +
                        " mail(s); offering them again");
      }
      auto [imported, more] = deliver_new(session);
      sink.pass_done(imported, true);
      healthy |= imported == 0;
      if (more && count(Delivery::pending) < settings.max_in_flight) continue;
      wait_for_news(session);
    }
  }

  // A new UIDVALIDITY means the server renumbered the folder: every UID we know is void, so
  // the folder is read again from UID 1 (the gateway drops what it already has).
  void adopt_uid_validity(uint32_t uid_validity) {
    if (cursor.uid_validity == uid_validity) return;
    if (cursor.uid_validity != 0) {
      sink.log(OG_LOG_WARN, "imap " + where() + ": UIDVALIDITY changed from " +
                                std::to_string(cursor.uid_validity) + " to " +
                                std::to_string(uid_validity) + "; reading the folder again");
    }
    {
      std::lock_guard lock(board->mutex);
      ++board->epoch;
      board->deliveries.clear();
    }
    cursor = {uid_validity, 1};
    sink.save_cursor(cursor);
  }

  int count(Delivery state) {
    std::lock_guard lock(board->mutex);
    return static_cast<int>(std::count_if(board->deliveries.begin(), board->deliveries.end(),
                                          [&](const auto& d) { return d.second == state; }));
  }

  // Flag/move what the gateway committed, then move the cursor over the run of finished
  // mails at its front (never past a mail still pending or failed).
  void finish_committed(ImapSession& session) {
    std::vector<uint32_t> committed;
    {
      std::lock_guard lock(board->mutex);
      for (const auto& [uid, state] : board->deliveries) {
        if (state == Delivery::committed) committed.push_back(uid);
      }
    }
    for (size_t i = 0; i < committed.size(); i += batch_size()) {
      std::vector<uint32_t> batch(committed.begin() + i,
                                  committed.begin() + std::min(committed.size(), i + batch_size()));
      after_import(session, batch);
      std::lock_guard lock(board->mutex);
      for (uint32_t uid : batch) board->deliveries[uid] = Delivery::done;
    }
    MailboxCursor advanced = cursor;
    {
      std::lock_guard lock(board->mutex);
      auto& deliveries = board->deliveries;
      while (!deliveries.empty() && deliveries.begin()->second == Delivery::done) {
        advanced.next_uid = deliveries.begin()->first + 1;
        deliveries.erase(deliveries.begin());
      }
    }
    if (advanced.next_uid != cursor.next_uid) {
      cursor = advanced;
      sink.save_cursor(cursor);
    }
  }

  void after_import(ImapSession& session, const std::vector<uint32_t>& uids) {
    switch (settings.after_import) {
      case AfterImport::keep:
        return;
      case AfterImport::seen:
        return session.add_flag(uids, "\\Seen");
      case AfterImport::flag:
        return session.add_flag(uids, kImportedKeyword);
      case AfterImport::move:
        return session.move(uids, settings.move_to);
    }
  }

  // Hands the mails past the cursor that the sink does not hold yet to it, up to the in-flight
  // window. Returns how many, and whether more are waiting.
  std::pair<int, bool> deliver_new(ImapSession& session) {
    std::vector<uint32_t> offer;
    int window = 0;
    bool more = false;
    {
      std::lock_guard lock(board->mutex);
      for (const auto& [uid, state] : board->deliveries) window += state == Delivery::pending;
    }
    window = std::max(settings.max_in_flight - window, 0);
    {
      std::vector<uint32_t> uids = session.uids_from(cursor.next_uid);
      std::lock_guard lock(board->mutex);
      for (uint32_t uid : uids) {
        auto it = board->deliveries.find(uid);
        if (it != board->deliveries.end() && it->second != Delivery::failed) continue;
        if (static_cast<int>(offer.size()) == window) {
          more = true;
          break;
        }
        offer.push_back(uid);
      }
    }
    int imported = 0;
    for (size_t i = 0; i < offer.size(); i += batch_size()) {
      std::vector<uint32_t> batch(offer.begin() + i,
                                  offer.begin() + std::min(offer.size(), i + batch_size()));
      for (FetchedMail& mail : session.fetch(batch, settings.max_message_bytes)) {
        uint64_t epoch;
        {
          std::lock_guard lock(board->mutex);
          board->deliveries[mail.uid] = Delivery::pending;
          epoch = board->epoch;
        }
        uint32_t uid = mail.uid;
        std::weak_ptr<CommitBoard> weak = board;
        sink.deliver(cursor.uid_validity, std::move(mail), [weak, epoch, uid](bool committed) {
          if (auto board = weak.lock()) board->answer(epoch, uid, committed);
        });
        ++imported;
      }
    }
    return {imported, more};
  }

  // IDLE where we may, else a sleep; either ends early on wake()/stop()/a commit.
  void wait_for_news(ImapSession& session) {
    if (settings.use_idle && session.supports_idle()) {
      session.idle(settings.poll_interval_seconds, board->wake.read_fd());
    } else {
      board->wake.wait(std::chrono::seconds(settings.poll_interval_seconds));
    }
  }
};

MailboxWatcher::MailboxWatcher(WatcherSettings settings, MailboxSink& sink)
    : impl_(std::make_unique<Impl>(std::move(settings), sink)) {}

MailboxWatcher::~MailboxWatcher() {
  stop();
}

void MailboxWatcher::start() {
  if (impl_->thread.joinable()) return;
  impl_->board->stopping = false;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void MailboxWatcher::stop() noexcept {
  impl_->board->stopping = true;
  impl_->board->wake.signal();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void MailboxWatcher::wake() noexcept {
  impl_->board->wake.signal();
}

}  // namespace omnigate::email
