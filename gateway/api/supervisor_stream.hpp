// The supervisors' live event stream (docs/api.md "Event stream"): the WebSocket endpoint
// GET /api/v1/stream, which sends a snapshot of the live queue and then every routing event as
// it happens, and POST /api/v1/stream/ticket for browsers. Supervisors and admins see every
// event (optionally ?team=&tier=&priority=), agents only their own; qa is refused.
#pragma once

#include "api/live_events.hpp"
#include "api/routing_dispatcher.hpp"
#include "core/executor.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <chrono>
#include <memory>

namespace omnigate::api {

inline constexpr std::chrono::milliseconds kStreamHeartbeatInterval{20000};

class SupervisorStream {
 public:
  // `live` must be the LiveEvents the dispatcher publishes to. Heartbeats start at once.
  SupervisorStream(store::Store& store, RoutingDispatcher& dispatcher,
                   std::shared_ptr<LiveEvents> live, Executor& executor,
                   std::chrono::milliseconds heartbeat_interval = kStreamHeartbeatInterval);
  ~SupervisorStream();  // stops the heartbeats; open streams get no more of them
  SupervisorStream(const SupervisorStream&) = delete;
  SupervisorStream& operator=(const SupervisorStream&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
