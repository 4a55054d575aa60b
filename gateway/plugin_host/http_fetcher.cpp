#include "plugin_host/http_fetcher.hpp"

#include "plugin_host/address_policy.hpp"
#include "plugin_host/response_header_line.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace omnigate::plugin_host {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) { return (a | 0x20) == (b | 0x20); });
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos || s.find('\0') != s.npos;
}

// curl_global_init is not thread-safe; do it once before the first handle.
void init_curl_once() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialised;
}

}  // namespace

std::string fetch_spec_error(const FetchSpec& spec) {
  if (spec.method.empty() || !std::all_of(spec.method.begin(), spec.method.end(), is_token_char)) {
    return "invalid HTTP method";
  }
  if (!starts_with_ci(spec.url, "http://") && !starts_with_ci(spec.url, "https://")) {
    return "only http:// and https:// URLs can be fetched";
  }
  if (has_line_break(spec.url) || spec.url.find(' ') != std::string::npos) {
    return "URL contains whitespace or control characters";
  }
  for (const auto& [name, value] : spec.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return "invalid header name";
    }
    if (has_line_break(value)) return "header " + name + " contains a line break";
  }
  if (has_line_break(spec.basic_auth_user) || spec.basic_auth_user.find(':') != std::string::npos) {
    return "basic auth user contains ':' or a line break";
  }
  if (spec.timeout_ms <= 0) return "timeout must be positive";
  return {};
}

struct HttpFetcher::Impl {
  struct Transfer {
    uint64_t id = 0;
    FetchSpec spec;
    Done done;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    FetchResult result;
    std::string refused_address;  // set when the SSRF guard refused a connection
    bool too_large = false;
    char error_buffer[CURL_ERROR_SIZE] = {};
  };

  CURLM* multi = nullptr;
  std::mutex mu;
  std::vector<std::unique_ptr<Transfer>> incoming;  // guarded by mu
  std::vector<uint64_t> cancelled;                  // guarded by mu
  bool stopping = false;                            // guarded by mu
  std::atomic<uint64_t> next_id{1};
  std::map<uint64_t, std::unique_ptr<Transfer>> active;  // transfer thread only
  std::thread thread;

  Impl() {
    init_curl_once();
    multi = curl_multi_init();
    thread = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    curl_multi_cleanup(multi);
  }

  // The SSRF guard: runs for every socket curl is about to connect, with the resolved address.
  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto* t = static_cast<Transfer*>(user);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    if (!t->spec.allow_restricted_addresses && is_restricted_address(&address->addr)) {
      t->refused_address = address_text(&address->addr);
      return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    if (t->result.body.size() + n > t->spec.max_response_bytes) {
      t->too_large = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    t->result.body.append(data, n);
    return n;
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    add_response_header_line(std::string_view(data, size * count), t->result.headers);
    return size * count;
  }

  void configure(Transfer& t) {
    CURL* e = curl_easy_init();
    t.easy = e;
    const FetchSpec& s = t.spec;
    curl_easy_setopt(e, CURLOPT_URL, s.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    // A proxy from the environment would make the proxy the connected address and bypass
    // the guard, so never use one.
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout_ms));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(s.max_response_bytes));
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    if (s.allow_restricted_addresses) {
      // The connection cache is shared by all instances: a connection to an internal address
      // must never be reused by a request that is not allowed there (reuse skips open_socket).
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    if (s.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (s.method != "GET" || !s.body.empty()) {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, s.method.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(s.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, s.body.data());
    }
    if (!s.basic_auth_user.empty() || !s.basic_auth_password.empty()) {
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(e, CURLOPT_USERNAME, s.basic_auth_user.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, s.basic_auth_password.c_str());
    }
    // Without this curl would add "Expect: 100-continue" to larger bodies and wait for it.
    t.header_list = curl_slist_append(t.header_list, "Expect:");
    for (const auto& [name, value] : s.headers) {
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
  }

  void finish(std::unique_ptr<Transfer> t, CURLcode code, const std::string& cancel_reason) {
    if (!cancel_reason.empty()) {
      t->result = FetchResult{};
      t->result.error = cancel_reason;
    } else if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      t->result.http_status = static_cast<int>(status);
    } else {
      t->result.http_status = 0;
      t->result.headers.clear();
      t->result.body.clear();
      if (!t->refused_address.empty()) {
        t->result.error =
            "refused: the target resolves to a loopback/private/link-local address (" +
            t->refused_address +
            "); allowed only with allow_private_fetch and OG_FETCH_ALLOW_PRIVATE";
      } else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
        t->result.error = "response larger than " + std::to_string(t->spec.max_response_bytes) +
                          " bytes: aborted";
      } else {
        t->result.error = t->error_buffer[0] ? t->error_buffer : curl_easy_strerror(code);
      }
    }
    curl_multi_remove_handle(multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->header_list);
    Done done = std::move(t->done);
    FetchResult result = std::move(t->result);
    t.reset();
    done(std::move(result));
  }

  void run() {
    for (;;) {
      std::vector<std::unique_ptr<Transfer>> fresh;
      std::vector<uint64_t> to_cancel;
      bool stop = false;
      {
        std::lock_guard lock(mu);
        fresh.swap(incoming);
        to_cancel.swap(cancelled);
        stop = stopping;
      }
      for (auto& t : fresh) {
        configure(*t);
        curl_multi_add_handle(multi, t->easy);
        active.emplace(t->id, std::move(t));
      }
      if (stop) {
        for (auto& [id, t] : active) to_cancel.push_back(id);
      }
      for (uint64_t id : to_cancel) {
        auto it = active.find(id);
        if (it == active.end()) continue;
        auto t = std::move(it->second);
        active.erase(it);
        finish(std::move(t), CURLE_OK, "cancelled");
      }
      if (stop) return;
      int running = 0;
      curl_multi_perform(multi, &running);
      while (CURLMsg* msg = curl_multi_info_read(multi, &running)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* raw = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
        const CURLcode code = msg->data.result;
        auto it = active.find(raw->id);
        auto t = std::move(it->second);
        active.erase(it);
        finish(std::move(t), code, {});
      }
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
  }
};

HttpFetcher::HttpFetcher() : impl_(std::make_unique<Impl>()) {}
HttpFetcher::~HttpFetcher() = default;

uint64_t HttpFetcher::start(FetchSpec spec, Done done) {
  auto t = std::make_unique<Impl::Transfer>();
  t->id = impl_->next_id.fetch_add(1);
  t->spec = std::move(spec);
  t->done = std::move(done);
  const uint64_t id = t->id;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) {
      t->done(FetchResult{0, {}, {}, "cancelled"});
      return id;
    }
    impl_->incoming.push_back(std::move(t));
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void HttpFetcher::cancel(uint64_t id) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->cancelled.push_back(id);
  }
  curl_multi_wakeup(impl_->multi);
}

}  // namespace omnigate::plugin_host
