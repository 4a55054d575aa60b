// Imports one IMAP folder into the gateway, at least once and without duplicates, on its own
// thread: fetch what is new since the cursor, hand each mail to the sink, and only once the
// sink reports it committed, flag/move it on the server and advance the cursor (kept by the
// sink, i.e. in the plugin's durable key/value store). A crash anywhere re-imports at most the
// mails after the cursor, which the gateway deduplicates (same provider message id).
// Waits for new mail with IDLE (push, arrival in about a second) where the server has it,
// else polls every poll_interval. Connection failures back off and reconnect; one mail that
// cannot be read never stops the others (the sink stores it raw and flagged).
#pragma once

#include "imap_session.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace omnigate::email {

enum class AfterImport {
  keep,  // leave the mail as it is (the cursor alone remembers it)
  seen,  // add \Seen
  flag,  // add the keyword $OmnigateImported
  move,  // move to WatcherSettings::move_to
};

struct WatcherSettings {
  MailServerSettings server;
  std::string folder = "INBOX";
  bool use_idle = true;            // IDLE when the server supports it
  int poll_interval_seconds = 60;  // without IDLE; also the longest IDLE before re-checking
  AfterImport after_import = AfterImport::seen;
  std::string move_to;                     // AfterImport::move
  uint64_t max_message_bytes = 25u << 20;  // larger mails are fetched truncated
  int fetch_batch = 50;                    // UIDs per UID FETCH
  int max_in_flight = 500;                 // mails handed to the sink and not yet committed
  int max_backoff_seconds = 300;           // reconnect backoff ceiling (starts at 1 s, doubles)
};

// Cursor: the folder's UIDVALIDITY and the next UID not yet known committed.
struct MailboxCursor {
  uint32_t uid_validity = 0;
  uint32_t next_uid = 1;
};

// Implemented by the plugin. Called on the watcher's thread unless noted.
class MailboxSink {
 public:
  virtual ~MailboxSink() = default;
  virtual std::optional<MailboxCursor> load_cursor() = 0;
  // Durably (or queued durably, in order) remember the cursor.
  virtual void save_cursor(const MailboxCursor& cursor) = 0;
  // One new mail. The sink must call `committed` exactly once, from any thread: true once it
  // is stored (or known stored before: a duplicate), false for a transient failure (the mail is
  // offered again after a reconnect).
  virtual void deliver(uint32_t uid_validity, FetchedMail mail,
                       std::function<void(bool committed)> committed) = 0;
  virtual void log(int level, const std::string& line) = 0;  // OG_LOG_* levels; no secrets
  // Called after each pass (connected or not): how many mails it imported, and whether the
  // connection is up. For metrics and /healthz-style status.
  virtual void pass_done(int imported, bool connected) { (void)imported, (void)connected; }
};

class MailboxWatcher {
 public:
  MailboxWatcher(WatcherSettings settings, MailboxSink& sink);
  ~MailboxWatcher();  // stop() and join
  MailboxWatcher(const MailboxWatcher&) = delete;
  MailboxWatcher& operator=(const MailboxWatcher&) = delete;

  void start();          // starts the thread
  void stop() noexcept;  // wakes IDLE/sleep, waits for the thread; commits still pending are
                         // left unflagged (re-offered next time, deduplicated)
  void wake() noexcept;  // check the folder now (e.g. an operator's "sync now")

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omnigate::email
