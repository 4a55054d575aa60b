// MailboxWatcher against a real Dovecot: at-least-once import, flags only after commit, the
// cursor, reconnects, UIDVALIDITY.
#include "mail_server_process.hpp"
#include "mailbox_watcher.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace omnigate::email;
using namespace omnigate::email::testing;
using namespace std::chrono_literals;

namespace {

// Records what the watcher hands over. Commits at once (`decide` says true or false), or
// holds them until the test releases them (`hold`), from the test's thread.
class RecordingSink : public MailboxSink {
 public:
  struct Delivered {
    uint32_t uid_validity;
    uint32_t uid;
    std::string raw;
  };

  std::function<bool(uint32_t uid, int attempt)> decide = [](uint32_t, int) { return true; };
  bool hold = false;

  std::optional<MailboxCursor> load_cursor() override {
    std::lock_guard lock(mutex_);
    return cursor_;
  }
  void save_cursor(const MailboxCursor& cursor) override {
    std::lock_guard lock(mutex_);
    // The cursor may only pass mails the gateway committed.
    for (uint32_t uid = 1; uid < cursor.next_uid; ++uid) {
      if (present_.count(uid) && !committed_.count({cursor.uid_validity, uid})) {
        cursor_passed_uncommitted_ = true;
      }
    }
    cursor_ = cursor;
    changed_.notify_all();
  }
  void deliver(uint32_t uid_validity, FetchedMail mail,
               std::function<void(bool)> committed) override {
    std::unique_lock lock(mutex_);
    int attempt = ++attempts_[{uid_validity, mail.uid}];
    delivered_.push_back({uid_validity, mail.uid, mail.raw});
    if (hold) {
      held_[mail.uid] = std::move(committed);
    } else {
      bool ok = decide(mail.uid, attempt);
      if (ok) committed_.insert({uid_validity, mail.uid});
      lock.unlock();
      committed(ok);
      lock.lock();
    }
    changed_.notify_all();
  }
  void log(int, const std::string& line) override {
    std::lock_guard lock(mutex_);
    logs_.push_back(line);
  }
  void pass_done(int, bool connected) override {
    std::lock_guard lock(mutex_);
    if (!connected) ++disconnected_passes_;
  }

  // Declares the UIDs the mailbox holds (for the cursor check above).
  void mailbox_holds(uint32_t first, uint32_t last) {
    std::lock_guard lock(mutex_);
    for (uint32_t uid = first; uid <= last; ++uid) present_.insert(uid);
  }
  // Commits held mails, from this (not the watcher's) thread.
  void release(const std::set<uint32_t>& uids, uint32_t uid_validity) {
    std::vector<std::function<void(bool)>> callbacks;
    {
      std::lock_guard lock(mutex_);
      for (uint32_t uid : uids) {
        auto it = held_.find(uid);
        REQUIRE(it != held_.end());
        committed_.insert({uid_validity, uid});
        callbacks.push_back(std::move(it->second));
        held_.erase(it);
      }
    }
    for (auto& callback : callbacks) callback(true);
  }
  bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, done);
  }
  // For wait_for() predicates (called with the lock held) and after the watcher stopped.
  size_t delivered_count() const { return delivered_.size(); }
  int attempts(uint32_t uid_validity, uint32_t uid) const {
    auto it = attempts_.find({uid_validity, uid});
    return it == attempts_.end() ? 0 : it->second;
  }
  MailboxCursor cursor() const { return cursor_.value_or(MailboxCursor{}); }
  const std::vector<Delivered>& delivered() const { return delivered_; }
  bool cursor_passed_uncommitted() const { return cursor_passed_uncommitted_; }
  int disconnected_passes() const { return disconnected_passes_; }
  bool logged(const std::string& part) const {
    for (const std::string& line : logs_) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }
  std::mutex& mutex() { return mutex_; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<MailboxCursor> cursor_;
  std::vector<Delivered> delivered_;
  std::map<std::pair<uint32_t, uint32_t>, int> attempts_;
  std::set<std::pair<uint32_t, uint32_t>> committed_;
  std::set<uint32_t> present_;
  std::map<uint32_t, std::function<void(bool)>> held_;
  std::vector<std::string> logs_;
  bool cursor_passed_uncommitted_ = false;
  int disconnected_passes_ = 0;
};

WatcherSettings watcher_settings(const TestDovecot& dovecot) {
  WatcherSettings s;
  s.server = dovecot.settings();
  s.after_import = AfterImport::flag;
  s.poll_interval_seconds = 30;  // IDLE must bring new mail long before that
  s.fetch_batch = 7;
  s.max_backoff_seconds = 2;
  return s;
}

// Polls Dovecot (from another connection) until `check` holds for the INBOX.
bool eventually(TestDovecot& dovecot,
                const std::function<bool(const std::vector<StoredMail>&)>& check,
                std::chrono::seconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (check(dovecot.messages())) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

bool flagged(const std::vector<StoredMail>& inbox, uint32_t uid) {
  for (const StoredMail& m : inbox) {
    if (m.uid == uid) return m.has_flag("$OmnigateImported");
  }
  return false;
}

}  // namespace

TEST_CASE("Watcher: imports every mail, flags only committed ones, cursor over a committed run") {
  TestDovecot dovecot;
  for (int i = 1; i <= 20; ++i) dovecot.append(sample_mail(i));
  RecordingSink sink;
  sink.hold = true;
  sink.mailbox_holds(1, 21);
  MailboxWatcher watcher(watcher_settings(dovecot), sink);
  watcher.start();

  REQUIRE(sink.wait_for([&] { return sink.delivered_count() == 20; }));
  uint32_t uid_validity = dovecot.uid_validity();
  {
    std::lock_guard lock(sink.mutex());
    for (int i = 0; i < 20; ++i) {
      CHECK(sink.delivered()[i].uid == static_cast<uint32_t>(i + 1));
      CHECK(sink.delivered()[i].raw == sample_mail(i + 1));
      CHECK(sink.delivered()[i].uid_validity == uid_validity);
    }
  }
  std::this_thread::sleep_for(300ms);
  for (const StoredMail& m : dovecot.messages()) CHECK_FALSE(m.has_flag("$OmnigateImported"));

  // 1-10 and 15 committed: all eleven flagged, the cursor stops at 11 (11-14 still pending).
  sink.release({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15}, uid_validity);
  REQUIRE(eventually(dovecot, [](const auto& inbox) {
    for (uint32_t uid : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15}) {
      if (!flagged(inbox, uid)) return false;
    }
    return true;
  }));
  for (const StoredMail& m : dovecot.messages()) {
    if (m.uid > 10 && m.uid != 15) CHECK_FALSE(m.has_flag("$OmnigateImported"));
  }
  CHECK(sink.wait_for([&] { return sink.cursor().next_uid == 11; }));
  std::this_thread::sleep_for(300ms);
  {
    std::lock_guard lock(sink.mutex());
    CHECK(sink.cursor().next_uid == 11);  // not past 11-14, which are still pending
  }

  sink.release({11, 12, 13, 14, 16, 17, 18, 19, 20}, uid_validity);
  CHECK(sink.wait_for([&] { return sink.cursor().next_uid == 21; }));
  CHECK(eventually(dovecot, [](const auto& inbox) {
    for (const StoredMail& m : inbox) {
      if (!m.has_flag("$OmnigateImported")) return false;
    }
    return true;
  }));

  // A new mail arrives through IDLE, well within 2 seconds.
  auto arrival = std::chrono::steady_clock::now();
  dovecot.append(sample_mail(21));
  REQUIRE(sink.wait_for([&] { return sink.delivered_count() == 21; }));
  CHECK(std::chrono::steady_clock::now() - arrival < 2s);
  sink.release({21}, uid_validity);
  CHECK(sink.wait_for([&] { return sink.cursor().next_uid == 22; }));
  watcher.stop();
  std::lock_guard lock(sink.mutex());
  CHECK_FALSE(sink.cursor_passed_uncommitted());
  for (uint32_t uid = 1; uid <= 21; ++uid) CHECK(sink.attempts(uid_validity, uid) == 1);
}

TEST_CASE("Watcher: a mail the gateway failed to store stays unflagged and comes again") {
  TestDovecot dovecot;
  for (int i = 1; i <= 5; ++i) dovecot.append(sample_mail(i));
  RecordingSink sink;
  sink.mailbox_holds(1, 5);
  sink.decide = [](uint32_t uid, int attempt) { return !(uid == 3 && attempt == 1); };
  MailboxWatcher watcher(watcher_settings(dovecot), sink);
  watcher.start();

  uint32_t uid_validity = dovecot.uid_validity();
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 6; }, 15s));
  CHECK(eventually(dovecot, [](const auto& inbox) {
    for (const StoredMail& m : inbox) {
      if (!m.has_flag("$OmnigateImported")) return false;
    }
    return inbox.size() == 5;
  }));
  watcher.stop();
  std::lock_guard lock(sink.mutex());
  CHECK(sink.attempts(uid_validity, 3) == 2);
  for (uint32_t uid : {1, 2, 4, 5}) CHECK(sink.attempts(uid_validity, uid) == 1);
  CHECK_FALSE(sink.cursor_passed_uncommitted());
  CHECK(sink.logged("could not store 1 mail"));
}

TEST_CASE("Watcher: reconnects after Dovecot restarts or is killed, nothing lost or doubled") {
  TestDovecot dovecot;
  for (int i = 1; i <= 3; ++i) dovecot.append(sample_mail(i));
  RecordingSink sink;
  MailboxWatcher watcher(watcher_settings(dovecot), sink);
  watcher.start();
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 4; }));

  dovecot.command("restart");
  dovecot.append(sample_mail(4));
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 5; }, 15s));

  dovecot.command("kill");  // SIGKILL to Dovecot and its IMAP processes
  dovecot.command("start");
  dovecot.append(sample_mail(5));
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 6; }, 15s));
  watcher.stop();

  std::lock_guard lock(sink.mutex());
  REQUIRE(sink.delivered_count() == 5);
  for (uint32_t i = 0; i < 5; ++i) CHECK(sink.delivered()[i].uid == i + 1);
  CHECK(sink.disconnected_passes() >= 1);
  CHECK(sink.logged("reconnecting"));
  CHECK_FALSE(sink.logged("secret"));
}

TEST_CASE("Watcher: a new UIDVALIDITY resets the cursor and reads the folder again") {
  TestDovecot dovecot;
  for (int i = 1; i <= 2; ++i) dovecot.append(sample_mail(i));
  RecordingSink sink;
  MailboxWatcher watcher(watcher_settings(dovecot), sink);
  watcher.start();
  uint32_t old_validity = dovecot.uid_validity();
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 3; }));

  dovecot.set_uid_validity(old_validity + 100);
  dovecot.command("restart");  // as after a server-side rebuild: clients reconnect
  REQUIRE(sink.wait_for(
      [&] {
        return sink.cursor().uid_validity == old_validity + 100 && sink.cursor().next_uid == 3;
      },
      15s));
  watcher.stop();

  std::lock_guard lock(sink.mutex());
  REQUIRE(sink.delivered_count() == 4);
  CHECK(sink.delivered()[2].uid_validity == old_validity + 100);
  CHECK(sink.delivered()[2].raw == sample_mail(1));
  CHECK(sink.delivered()[3].raw == sample_mail(2));
  CHECK(sink.logged("UIDVALIDITY changed"));
}

TEST_CASE("Watcher: resumes from a saved cursor, polls without IDLE, moves after import") {
  TestDovecot dovecot;
  for (int i = 1; i <= 4; ++i) dovecot.append(sample_mail(i));
  dovecot.create_folder("Imported");
  RecordingSink sink;
  sink.save_cursor({dovecot.uid_validity(), 3});  // 1 and 2 imported in an earlier run
  WatcherSettings settings = watcher_settings(dovecot);
  settings.use_idle = false;
  settings.poll_interval_seconds = 1;
  settings.after_import = AfterImport::move;
  settings.move_to = "Imported";
  MailboxWatcher watcher(settings, sink);
  watcher.start();

  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 5; }));
  dovecot.append(sample_mail(5));
  REQUIRE(sink.wait_for([&] { return sink.cursor().next_uid == 6; }, 5s));
  watcher.stop();

  {
    std::lock_guard lock(sink.mutex());
    REQUIRE(sink.delivered_count() == 3);
    CHECK(sink.delivered()[0].uid == 3);
  }
  std::vector<StoredMail> inbox = dovecot.messages();
  REQUIRE(inbox.size() == 2);  // 1 and 2, imported before this run, stay
  CHECK(dovecot.messages("Imported").size() == 3);
}
