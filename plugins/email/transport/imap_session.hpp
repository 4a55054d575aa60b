// One blocking IMAP connection to one folder, with libetpan (a maintained IMAP client that,
// unlike libcurl, speaks IDLE). Used by one thread at a time (the MailboxWatcher's).
// Every failure throws ImapError; the caller reconnects with a fresh session.
#pragma once

#include "mail_server_settings.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace omnigate::email {

struct ImapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FetchedMail {
  uint32_t uid = 0;
  uint64_t size = 0;       // RFC822.SIZE as the server reported it
  std::string raw;         // the message bytes (BODY.PEEK[]: fetching never sets \Seen)
  bool truncated = false;  // size > max_bytes: only the first max_bytes were fetched
};

class ImapSession {
 public:
  ImapSession(MailServerSettings server, std::string folder);
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  // Connect, STARTTLS/TLS as configured, LOGIN, SELECT the folder (read-write).
  void open();
  uint32_t uid_validity() const;
  bool supports_idle() const;
  bool supports_move() const;

  // UIDs of the messages with uid >= first_uid, ascending (UID SEARCH UID first:*; the server's
  // answer for "*" beyond the last message is filtered out).
  std::vector<uint32_t> uids_from(uint32_t first_uid);
  // BODY.PEEK[] of the given UIDs (one UID FETCH; at most max_bytes of each, `truncated` set
  // when the server's RFC822.SIZE was larger). UIDs the server no longer has are left out.
  std::vector<FetchedMail> fetch(const std::vector<uint32_t>& uids, uint64_t max_bytes);
  // UID STORE +FLAGS (e.g. "\\Seen" or a keyword like "$OmnigateImported").
  void add_flag(const std::vector<uint32_t>& uids, const std::string& flag);
  // UID MOVE when the server supports it, else UID COPY + \Deleted + UID EXPUNGE (or EXPUNGE).
  void move(const std::vector<uint32_t>& uids, const std::string& folder);

  enum class IdleResult { changed, timeout, stopped };
  // IDLE until the server reports a change (EXISTS/RECENT/EXPUNGE/FETCH), `max_seconds` pass,
  // or `stop_fd` becomes readable; then DONE. Requires supports_idle().
  IdleResult idle(int max_seconds, int stop_fd);

  void close() noexcept;  // LOGOUT (best effort) and disconnect

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omnigate::email
