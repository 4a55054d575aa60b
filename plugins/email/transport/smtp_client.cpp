#include "smtp_client.hpp"

#include "sigpipe_guard.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace omnigate::email {
namespace {

using namespace std::string_view_literals;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Upload {
  std::string_view message;
  size_t sent = 0;
};

size_t read_message(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->message.size() - upload->sent);
  std::memcpy(buffer, upload->message.data() + upload->sent, n);
  upload->sent += n;
  return n;
}

// The server's replies as they arrive ("250-..." lines continue a reply, "250 ..." ends it),
// so that the outcome can quote the reply that decided it.
struct Transcript {
  std::string partial;                            // a line not yet terminated
  std::string reply;                              // the lines of the reply being read
  std::vector<std::pair<int, std::string>> done;  // complete replies: code, text

  void add(std::string_view bytes) {
    partial.append(bytes);
    size_t end;
    while ((end = partial.find('\n')) != std::string::npos) {
      std::string line = partial.substr(0, end);
      partial.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!reply.empty()) reply += '\n';
      reply += line;
      bool last_line = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                       (line.size() == 3 || line[3] == ' ');
      if (last_line) {
        done.emplace_back(std::stoi(line.substr(0, 3)), std::move(reply));
        reply.clear();
      }
    }
  }

  // The latest complete reply with this code (curl may read more, e.g. QUIT's 221, after it).
  std::string text_for(int code) const {
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      if (it->first == code) return it->second;
    }
    return {};
  }
};

int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type == CURLINFO_HEADER_IN) static_cast<Transcript*>(user)->add({data, size});
  return 0;
}

// An address travels inside "MAIL FROM:<...>"/"RCPT TO:<...>": CR or LF would end the command
// and start another (SMTP command injection), brackets would end the path.
bool is_bare_address(std::string_view address) {
  return !address.empty() && address.find_first_of("\r\n<>\0"sv) == std::string_view::npos;
}

std::string server_url(const MailServerSettings& server) {
  uint16_t port = server.port;
  if (port == 0) {
    port = server.tls == MailTls::implicit ? 465 : server.tls == MailTls::starttls ? 587 : 25;
  }
  std::string host =
      server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
  return (server.tls == MailTls::implicit ? "smtps://" : "smtp://") + host + ":" +
         std::to_string(port);
}

SmtpOutcome refused(std::string why) {
  return {SmtpOutcome::Kind::permanent, 0, std::move(why)};
}

// libcurl calls this about once a second (and on progress): a non-zero answer aborts.
int abort_when_cancelled(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

}  // namespace

SmtpOutcome smtp_send(const MailServerSettings& server, std::string_view envelope_from,
                      const std::vector<std::string>& recipients, std::string_view message,
                      const std::atomic<bool>* cancel) {
  if (!is_bare_address(envelope_from)) return refused("invalid envelope sender");
  if (recipients.empty()) return refused("no recipients");
  for (const std::string& rcpt : recipients) {
    if (!is_bare_address(rcpt)) return refused("invalid recipient address");
  }
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  SigpipeGuard no_sigpipe;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return {SmtpOutcome::Kind::retry, 0, "libcurl could not start"};
  CURL* c = curl.get();
  curl_slist* rcpts = nullptr;
  for (const std::string& rcpt : recipients) {
    curl_slist* grown = curl_slist_append(rcpts, ("<" + rcpt + ">").c_str());
    if (grown == nullptr) {
      curl_slist_free_all(rcpts);
      return {SmtpOutcome::Kind::retry, 0, "out of memory"};
    }
    rcpts = grown;
  }
  std::unique_ptr<curl_slist, SlistDeleter> rcpt_list(rcpts);
  const std::string url = server_url(server);
  const std::string from = "<" + std::string(envelope_from) + ">";
  Upload upload{message};
  Transcript transcript;
  char error[CURL_ERROR_SIZE] = "";

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (server.tls == MailTls::starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, server.verify_peer ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, server.verify_peer ? 2L : 0L);
  if (!server.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, server.ca_file.c_str());
  if (!server.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt_list.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  // A time limit per step rather than overall: a large message on a slow link is fine as long
  // as bytes move; a server that stops answering is not.
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(server.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(server.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, static_cast<long>(server.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS time-outs
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // The debug callback is how libcurl shows the server's reply text; it sees no password
  // (CURLINFO_HEADER_OUT, where AUTH travels, is ignored).
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &transcript);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  if (cancel != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, cancel);
  }

  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  SmtpOutcome outcome;
  outcome.reply_code = static_cast<int>(code);
  outcome.reply_text = transcript.text_for(outcome.reply_code);
  if (rc == CURLE_OK) {
    outcome.kind = SmtpOutcome::Kind::sent;
  } else if (code >= 500 && code <= 599) {
    outcome.kind = SmtpOutcome::Kind::permanent;
  } else {
    // 4xx, or no SMTP verdict at all (refused, TLS, time-out): try again later.
    outcome.kind = SmtpOutcome::Kind::retry;
    if (code < 400 || code > 499) {
      outcome.reply_code = 0;
      outcome.reply_text = *error ? error : curl_easy_strerror(rc);
    }
  }
  if (outcome.reply_text.empty()) outcome.reply_text = *error ? error : curl_easy_strerror(rc);
  return outcome;
}

}  // namespace omnigate::email
