// The agent/supervisor/QA REST API under /api/v1 (docs/api.md): Bearer-token authentication,
// roles enforced per endpoint, JSON errors naming the field, an audit record for every
// mutating call and every transcript read.
#pragma once

#include "core/metrics.hpp"
#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "outbox/outbox_sender.hpp"
#include "store/channel_command.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace omnigate::api {

// Files agents upload to attach to replies (POST /api/v1/attachments).
struct UploadOptions {
  std::string attachments_dir;     // the store's content-addressed attachment files
  std::uint64_t max_upload_bytes;  // [server.limits] max_upload_bytes: 413 above
};

class AgentApi {
 public:
  AgentApi(store::Store& store, dispatch::RoutingDispatcher& dispatcher, OutboxSender& outbox,
           Metrics& metrics, UploadOptions uploads);
  ~AgentApi();
  AgentApi(const AgentApi&) = delete;
  AgentApi& operator=(const AgentApi&) = delete;

  void register_routes(http::Router& router);  // everything under /api/v1 (docs/api.md)
  // Where POST /conversations/{id}/command goes (the plugin host). Without one it answers 409.
  void on_channel_command(store::ChannelCommandHandler fn);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
