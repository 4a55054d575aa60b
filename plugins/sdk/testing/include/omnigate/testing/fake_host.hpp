// A fake gateway for plugin tests: an og_host_api table whose functions record every call
// (copying the borrowed data, as a real host must), plus a loader that dlopen()s a real
// plugin .so and creates one instance against it.
#pragma once

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace omnigate::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RecordedRoute {
  std::string method, path;
  og_http_handler_fn handler;
  void* user;  // plugin-owned (the SDK's route entry); only passed back to the handler
};
struct RecordedResponse {
  int status = 0;
  std::string content_type, body;
};
struct RecordedAttachment {
  std::string filename, content_type, data, url;
};
struct RecordedInbound {
  uint64_t request_id = 0;
  std::string provider_message_id, from_kind, from_address, from_name, to_address, thread_key;
  std::string subject, body_text, raw, metadata_json;
  std::vector<RecordedAttachment> attachments;
  std::vector<std::pair<std::string, int>> skills;
  int priority = 0, flags = 0;
};
struct RecordedDelivery {
  uint64_t request_id = 0;
  std::string provider_message_id;
  og_delivery_state state = 0;
  std::string error_code, error_text, raw;
};
struct RecordedFetch {
  uint64_t id = 0;
  std::string method, url, body, basic_auth_user, basic_auth_password;
  HeaderList headers;
  int timeout_ms = 0, flags = 0;
  og_fetch_done_fn done = nullptr;
  void* user = nullptr;    // plugin-owned; passed back to `done`, which frees it
  bool completed = false;  // the ABI promises exactly one completion per fetch

  std::string header(const std::string& name) const;
};
struct RecordedSendResult {
  uint64_t ticket = 0;
  og_status status = 0;
  std::string provider_message_id, error_code, error_text;
  int retry_after_ms = 0;
};

// What list_unsettled_sends() hands out (ABI 1.1).
struct FakeUnsettled {
  int64_t outbox_id = 0;
  std::string provider_message_id;
  og_delivery_state state = OG_DELIVERY_SENT;
  int64_t sent_at_ms = 0;
};
// One list_unsettled_sends() call as the plugin made it.
struct RecordedListing {
  int64_t sent_after_ms = 0, sent_before_ms = 0, after_id = 0;
  int32_t limit = 0;
};

class FakeHost {
 public:
  FakeHost();
  const og_host_api* api() const { return &api_; }
  og_host_ctx* ctx() { return reinterpret_cast<og_host_ctx*>(this); }
  // The og_host_ctx handed to the plugin is this object (owned by the test, outlives the plugin).
  static FakeHost& from(og_host_ctx* ctx) { return *reinterpret_cast<FakeHost*>(ctx); }

  std::vector<RecordedRoute> routes;
  std::map<uint64_t, RecordedResponse> responses;
  std::vector<RecordedInbound> inbound;
  std::vector<RecordedDelivery> deliveries;
  std::vector<RecordedFetch> fetches;
  std::vector<RecordedSendResult> send_results;
  std::vector<std::string> logs;
  std::vector<uint32_t> timers;          // delay of every set_timer; the id is index + 1
  std::vector<FakeUnsettled> unsettled;  // filtered by the window and cursor when listed
  std::vector<RecordedListing> listings;

 private:
  og_host_api api_;
};

// One plugin instance created from the .so at `path` against `host`; destroyed (and the
// library closed) by the destructor.
class LoadedPlugin {
 public:
  LoadedPlugin(const std::string& path, FakeHost& host, const std::string& instance,
               const std::string& config_json);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  og_status create_status() const { return create_status_; }
  const std::string& create_error() const { return create_error_; }
  const og_plugin_api& api() const { return *api_; }

  // Calls the handler registered for (method, path) like the host's router would.
  RecordedResponse request(const std::string& method, const std::string& path,
                           const std::string& query, const HeaderList& headers,
                           const std::string& body);
  // send_message(ticket, ...) with the given fields; returns the immediate status.
  og_status send(uint64_t ticket, const og_outbound_message& message, std::string* error = nullptr);
  // lookup_send(ticket, ...) (ABI 1.1); returns the immediate status.
  og_status lookup(uint64_t ticket, const og_outbound_message& message, int64_t enqueued_at_ms,
                   std::string* error = nullptr, const std::vector<std::string>& taken = {});
  og_status start(std::string* error = nullptr);
  void fire_timer(uint64_t timer_id);
  // Completes fetch #index with this answer, as the host's HTTP client would.
  void complete_fetch(size_t index, int http_status, const std::string& body,
                      const HeaderList& headers = {}, const std::string& error = {});

 private:
  FakeHost& host_;
  std::string instance_;
  void* library_ = nullptr;
  const og_plugin_api* api_ = nullptr;
  void* instance_ptr_ = nullptr;
  og_status create_status_ = OG_INTERNAL;
  std::string create_error_;
  uint64_t next_request_id_ = 1;
};

}  // namespace omnigate::testing
