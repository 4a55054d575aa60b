#include "imap_session.hpp"

#include "imap_tls_stream.hpp"
#include "mail_socket.hpp"
#include "sigpipe_guard.hpp"

#include <libetpan/libetpan.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

namespace omnigate::email {
namespace {

constexpr size_t kStreamBufferBytes = 8192;

struct SetDeleter {
  void operator()(mailimap_set* set) const { mailimap_set_free(set); }
};
using UidSet = std::unique_ptr<mailimap_set, SetDeleter>;

// One IMAP sequence set for the UIDs, contiguous runs as ranges ("3:7,9"), so that a batch
// of thousands of consecutive UIDs stays a short command.
UidSet make_uid_set(std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  UidSet set(mailimap_set_new_empty());
  if (!set) throw ImapError("out of memory");
  for (size_t i = 0; i < uids.size();) {
    size_t end = i;
    while (end + 1 < uids.size() && uids[end + 1] == uids[end] + 1) ++end;
    if (mailimap_set_add_interval(set.get(), uids[i], uids[end]) != MAILIMAP_NO_ERROR) {
      throw ImapError("out of memory");
    }
    i = end + 1;
  }
  return set;
}

mailimap_flag* make_flag(const std::string& flag) {
  if (flag == "\\Seen") return mailimap_flag_new_seen();
  if (flag == "\\Deleted") return mailimap_flag_new_deleted();
  if (flag == "\\Flagged") return mailimap_flag_new_flagged();
  if (flag == "\\Answered") return mailimap_flag_new_answered();
  if (flag == "\\Draft") return mailimap_flag_new_draft();
  if (flag.empty() || flag[0] == '\\') throw ImapError("unknown system flag " + flag);
  char* keyword = strdup(flag.c_str());
  mailimap_flag* made = keyword ? mailimap_flag_new_flag_keyword(keyword) : nullptr;
  if (made == nullptr) free(keyword);
  return made;
}

uint16_t default_port(MailTls tls) {
  return tls == MailTls::implicit ? 993 : 143;
}

}  // namespace

struct ImapSession::Impl {
  MailServerSettings server;
  std::string folder;
  mailimap* imap = nullptr;
  uint32_t uid_validity = 0;
  bool has_idle = false;
  bool has_move = false;
  bool has_uidplus = false;

  bool ok(int rc) const {
    return rc == MAILIMAP_NO_ERROR || rc == MAILIMAP_NO_ERROR_AUTHENTICATED ||
           rc == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
  }

  // The server's last response text says why (e.g. "[AUTHENTICATIONFAILED] ..."); libetpan's
  // code alone says little. Passwords never appear in either.
  void check(int rc, const std::string& what) const {
    if (ok(rc)) return;
    std::string text = what + " failed";
    if (rc == MAILIMAP_ERROR_STREAM) {
      text += ": connection lost or timed out";
    } else if (imap != nullptr && imap->imap_response != nullptr && *imap->imap_response) {
      text += ": ";
      text += imap->imap_response;
    }
    throw ImapError(text + " (libetpan error " + std::to_string(rc) + ")");
  }

  bool has(const char* capability) const {
    return mailimap_has_extension(imap, const_cast<char*>(capability)) != 0;
  }

  void refresh_capabilities() {
    mailimap_capability_data* capabilities = nullptr;
    check(mailimap_capability(imap, &capabilities), "CAPABILITY");
    mailimap_capability_data_free(capabilities);
  }

  mailstream_low* plain_stream(int fd) {
    mailstream_low* low = mailstream_low_socket_open(fd);
    if (low == nullptr) {
      ::close(fd);
      throw ImapError("out of memory");
    }
    mailstream_low_set_timeout(low, server.timeout_seconds);
    return low;
  }

  void connect() {
    uint16_t port = server.port != 0 ? server.port : default_port(server.tls);
    int fd = connect_mail_socket(server.host, port, server.timeout_seconds);
    mailstream_low* low =
        server.tls == MailTls::implicit ? open_verified_tls(fd, server) : plain_stream(fd);
    mailstream* stream = mailstream_new(low, kStreamBufferBytes);
    if (stream == nullptr) {
      mailstream_low_close(low);
      mailstream_low_free(low);
      throw ImapError("out of memory");
    }
    check(mailimap_connect(imap, stream), "connect to " + server.host);  // owns the stream
  }

  // STARTTLS, then the rest of the session over a verified TLS stream on the same socket.
  void start_tls() {
    refresh_capabilities();
    if (!has("STARTTLS")) throw ImapError(server.host + " does not offer STARTTLS");
    check(mailimap_starttls(imap), "STARTTLS");
    mailstream_low* plain = mailstream_get_low(imap->imap_stream);
    // A duplicate, so that a failed handshake (which closes its socket) leaves the plain
    // stream's socket for mailimap_free() to close exactly once.
    int fd = dup(mailstream_low_get_fd(plain));
    if (fd < 0) throw ImapError(std::string("dup: ") + std::strerror(errno));
    mailstream_low* tls = open_verified_tls(fd, server);
    mailstream_low_close(plain);
    mailstream_low_free(plain);
    mailstream_set_low(imap->imap_stream, tls);
  }

  bool changes_reported() const {
    const mailimap_selection_info* selection = imap->imap_selection_info;
    const mailimap_response_info* response = imap->imap_response_info;
    return (selection != nullptr && (selection->sel_has_exists || selection->sel_has_recent)) ||
           (response != nullptr &&
            ((response->rsp_expunged != nullptr && !clist_isempty(response->rsp_expunged)) ||
             (response->rsp_fetch_list != nullptr && !clist_isempty(response->rsp_fetch_list))));
  }

  // Bytes already read from the socket but not parsed: poll() on the socket would miss them.
  bool input_buffered() const {
    return imap->imap_stream->read_buffer_len > 0 ||
           tls_stream_has_pending(mailstream_get_low(imap->imap_stream));
  }
};

ImapSession::ImapSession(MailServerSettings server, std::string folder)
    : impl_(std::make_unique<Impl>()) {
  impl_->server = std::move(server);
  impl_->folder = std::move(folder);
}

ImapSession::~ImapSession() {
  close();
}

void ImapSession::open() {
  SigpipeGuard no_sigpipe;
  close();
  Impl& s = *impl_;
  s.imap = mailimap_new(0, nullptr);
  if (s.imap == nullptr) throw ImapError("out of memory");
  mailimap_set_timeout(s.imap, s.server.timeout_seconds);
  s.connect();
  if (s.server.tls == MailTls::starttls) s.start_tls();
  s.check(mailimap_login(s.imap, s.server.user.c_str(), s.server.password.c_str()),
          "LOGIN as " + s.server.user);
  s.refresh_capabilities();  // servers announce more (IDLE, MOVE) once logged in
  s.has_idle = mailimap_has_idle(s.imap) != 0;
  s.has_move = s.has("MOVE");
  s.has_uidplus = mailimap_has_uidplus(s.imap) != 0;
  s.check(mailimap_select(s.imap, s.folder.c_str()), "SELECT " + s.folder);
  s.uid_validity = s.imap->imap_selection_info->sel_uidvalidity;
}

uint32_t ImapSession::uid_validity() const {
  return impl_->uid_validity;
}
bool ImapSession::supports_idle() const {
  return impl_->has_idle;
}
bool ImapSession::supports_move() const {
  return impl_->has_move;
}

std::vector<uint32_t> ImapSession::uids_from(uint32_t first_uid) {
  SigpipeGuard no_sigpipe;
  first_uid = std::max<uint32_t>(first_uid, 1);
  // UID n:* (0 is libetpan's "*").
  mailimap_search_key* key = mailimap_search_key_new_uid(mailimap_set_new_interval(first_uid, 0));
  if (key == nullptr) throw ImapError("out of memory");
  clist* found = nullptr;
  int rc = mailimap_uid_search(impl_->imap, nullptr, key, &found);
  mailimap_search_key_free(key);
  impl_->check(rc, "UID SEARCH");
  std::vector<uint32_t> uids;
  for (clistiter* it = clist_begin(found); it != nullptr; it = clist_next(it)) {
    uint32_t uid = *static_cast<uint32_t*>(clist_content(it));
    // "n:*" always matches the last message, even when its UID is below n.
    if (uid >= first_uid) uids.push_back(uid);
  }
  mailimap_search_result_free(found);
  std::sort(uids.begin(), uids.end());
  return uids;
}

std::vector<FetchedMail> ImapSession::fetch(const std::vector<uint32_t>& uids, uint64_t max_bytes) {
  SigpipeGuard no_sigpipe;
  if (uids.empty()) return {};
  // BODY.PEEK[]<0.max>: the server sends at most max bytes, so a 2 GB mail costs max_bytes.
  auto partial =
      static_cast<uint32_t>(std::min<uint64_t>(max_bytes, std::numeric_limits<uint32_t>::max()));
  mailimap_fetch_type* what = mailimap_fetch_type_new_fetch_att_list_empty();
  if (what == nullptr) throw ImapError("out of memory");
  mailimap_fetch_type_new_fetch_att_list_add(what, mailimap_fetch_att_new_uid());
  mailimap_fetch_type_new_fetch_att_list_add(what, mailimap_fetch_att_new_rfc822_size());
  mailimap_fetch_type_new_fetch_att_list_add(what, mailimap_fetch_att_new_body_peek_section_partial(
                                                       mailimap_section_new(nullptr), 0, partial));
  UidSet set = make_uid_set(uids);
  clist* answers = nullptr;
  int rc = mailimap_uid_fetch(impl_->imap, set.get(), what, &answers);
  mailimap_fetch_type_free(what);
  impl_->check(rc, "UID FETCH");

  const std::set<uint32_t> wanted(uids.begin(), uids.end());
  std::vector<FetchedMail> mails;
  for (clistiter* it = clist_begin(answers); it != nullptr; it = clist_next(it)) {
    auto* message = static_cast<mailimap_msg_att*>(clist_content(it));
    FetchedMail mail;
    bool has_body = false;
    for (clistiter* a = clist_begin(message->att_list); a != nullptr; a = clist_next(a)) {
      auto* item = static_cast<mailimap_msg_att_item*>(clist_content(a));
      if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC) continue;
      const mailimap_msg_att_static* value = item->att_data.att_static;
      switch (value->att_type) {
        case MAILIMAP_MSG_ATT_UID:
          mail.uid = value->att_data.att_uid;
          break;
        case MAILIMAP_MSG_ATT_RFC822_SIZE:
          mail.size = value->att_data.att_rfc822_size;
          break;
        case MAILIMAP_MSG_ATT_BODY_SECTION:
          if (const auto* body = value->att_data.att_body_section; body->sec_body_part) {
            mail.raw.assign(body->sec_body_part, body->sec_length);
          }
          has_body = true;
          break;
        default:
          break;
      }
    }
    // Unsolicited FETCH responses (another client changed flags) carry no body: not ours.
    if (!has_body || !wanted.contains(mail.uid)) continue;
    mail.truncated = mail.size > mail.raw.size();
    mails.push_back(std::move(mail));
  }
  mailimap_fetch_list_free(answers);
  std::sort(mails.begin(), mails.end(),
            [](const FetchedMail& a, const FetchedMail& b) { return a.uid < b.uid; });
  return mails;
}

void ImapSession::add_flag(const std::vector<uint32_t>& uids, const std::string& flag) {
  SigpipeGuard no_sigpipe;
  if (uids.empty()) return;
  mailimap_flag_list* flags = mailimap_flag_list_new_empty();
  mailimap_flag* made = flags ? make_flag(flag) : nullptr;
  if (made == nullptr || mailimap_flag_list_add(flags, made) != MAILIMAP_NO_ERROR) {
    if (made) mailimap_flag_free(made);
    if (flags) mailimap_flag_list_free(flags);
    throw ImapError("out of memory");
  }
  mailimap_store_att_flags* store = mailimap_store_att_flags_new_add_flags_silent(flags);
  if (store == nullptr) {
    mailimap_flag_list_free(flags);
    throw ImapError("out of memory");
  }
  UidSet set = make_uid_set(uids);
  int rc = mailimap_uid_store(impl_->imap, set.get(), store);
  mailimap_store_att_flags_free(store);
  impl_->check(rc, "UID STORE +FLAGS " + flag);
}

void ImapSession::move(const std::vector<uint32_t>& uids, const std::string& folder) {
  SigpipeGuard no_sigpipe;
  if (uids.empty()) return;
  UidSet set = make_uid_set(uids);
  if (impl_->has_move) {
    impl_->check(mailimap_uid_move(impl_->imap, set.get(), folder.c_str()), "UID MOVE " + folder);
    return;
  }
  impl_->check(mailimap_uid_copy(impl_->imap, set.get(), folder.c_str()), "UID COPY " + folder);
  add_flag(uids, "\\Deleted");
  // Without UIDPLUS, EXPUNGE also removes what other clients marked \Deleted; that is what
  // they asked for, only sooner.
  impl_->check(impl_->has_uidplus ? mailimap_uid_expunge(impl_->imap, set.get())
                                  : mailimap_expunge(impl_->imap),
               "EXPUNGE");
}

ImapSession::IdleResult ImapSession::idle(int max_seconds, int stop_fd) {
  SigpipeGuard no_sigpipe;
  Impl& s = *impl_;
  if (!s.has_idle) throw ImapError(s.server.host + " does not support IDLE");
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(std::max(max_seconds, 0));
  for (;;) {
    s.check(mailimap_idle(s.imap), "IDLE");
    enum { data, stop, time_up } why = data;
    if (!s.input_buffered()) {
      pollfd watched[2] = {{mailimap_idle_get_fd(s.imap), POLLIN, 0}, {stop_fd, POLLIN, 0}};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      int rc = poll(watched, 2, static_cast<int>(std::max<int64_t>(left.count(), 0)));
      if (rc < 0 && errno != EINTR) throw ImapError(std::string("poll: ") + std::strerror(errno));
      if (rc > 0 && watched[1].revents != 0) {
        why = stop;
      } else if (rc <= 0) {
        why = time_up;  // (EINTR: re-checked below like a time-out)
      }
    }
    s.check(mailimap_idle_done(s.imap), "IDLE DONE");
    if (why == stop) return IdleResult::stopped;
    if (s.changes_reported()) return IdleResult::changed;
    // Nothing but a keep-alive ("* OK Still here"), or an interrupted poll: idle on.
    if (Clock::now() >= deadline) return IdleResult::timeout;
  }
}

void ImapSession::close() noexcept {
  Impl& s = *impl_;
  if (s.imap == nullptr) return;
  SigpipeGuard no_sigpipe;
  if (s.imap->imap_stream != nullptr) mailimap_logout(s.imap);
  mailimap_free(s.imap);
  s.imap = nullptr;
}

}  // namespace omnigate::email
