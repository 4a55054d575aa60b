// Outbound HTTP for plugins (og_host_api.http_fetch): libcurl's multi interface driven by one
// thread of its own, so a slow provider never occupies an executor worker. Enforces what a
// plugin must not be able to do on its own: reach internal addresses (SSRF), follow redirects,
// speak anything but http/https, or make the gateway buffer an unbounded response.
#pragma once

#include "http/http_types.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace omnigate::plugin_host {

struct FetchSpec {
  std::string method = "GET";
  std::string url;  // http:// or https:// only
  http::HeaderList headers;
  std::string body;
  std::string basic_auth_user, basic_auth_password;  // never logged
  int timeout_ms = 15000;
  std::size_t max_response_bytes = 4 * 1024 * 1024;
  // Let the connection go to loopback/private/link-local addresses (see address_policy.hpp).
  bool allow_restricted_addresses = false;
};

struct FetchResult {
  int http_status = 0;  // 0: no HTTP response (see error)
  http::HeaderList headers;
  std::string body;
  std::string error;  // transport, policy or size error; empty when an HTTP response arrived
};

// Why `spec` cannot be fetched (bad method, scheme, header with CR/LF...), or "" when it can.
std::string fetch_spec_error(const FetchSpec& spec);

class HttpFetcher {
 public:
  using Done = std::function<void(FetchResult)>;

  HttpFetcher();   // starts the transfer thread
  ~HttpFetcher();  // aborts what is still running (each `done` gets "cancelled") and joins
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Starts a transfer of a spec that passed fetch_spec_error(). Thread-safe. `done` runs exactly
  // once, on the transfer thread: keep it short (post real work elsewhere).
  uint64_t start(FetchSpec spec, Done done);
  // Aborts a transfer; its `done` still runs, with error "cancelled". Unknown ids are ignored.
  void cancel(uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omnigate::plugin_host
