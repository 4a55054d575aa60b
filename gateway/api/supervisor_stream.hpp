// The supervisors' live event stream (docs/api.md "Event stream"): the WebSocket endpoint
// GET /api/v1/stream, which sends a snapshot of the live queue and then every routing event as
// it happens, and POST /api/v1/stream/ticket for browsers. Supervisors and admins see every
// event (optionally ?team=&tier=&priority=), agents only their own; qa is refused. A stream
// lasts as long as the token it was opened with stands for the same user and role.
#pragma once

#include "api/live_events.hpp"
#include "core/executor.hpp"
#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace omnigate::api {

inline constexpr std::chrono::milliseconds kStreamHeartbeatInterval{20000};

// Close codes of a stream whose user was revoked or changed role (or agent profile) while it
// was open (the private range 4000-4999, after HTTP's 401 and 403). Tickets issued before such
// a change are refused (401) too.
inline constexpr int kStreamClosedRevoked = 4401;
inline constexpr int kStreamClosedRoleChanged = 4403;

class SupervisorStream {
 public:
  // `live` must be the LiveEvents the dispatcher publishes to. Heartbeats start at once.
  SupervisorStream(store::Store& store, dispatch::RoutingDispatcher& dispatcher,
                   std::shared_ptr<LiveEvents> live, Executor& executor,
                   std::chrono::milliseconds heartbeat_interval = kStreamHeartbeatInterval);
  ~SupervisorStream();  // stops the heartbeats; open streams get no more of them
  SupervisorStream(const SupervisorStream&) = delete;
  SupervisorStream& operator=(const SupervisorStream&) = delete;

  void register_routes(http::Router& router);

  // User `name` was removed or changed (role, agent profile): closes their open streams that
  // it made void, then calls `then` (on another thread). Changes made by another process are
  // found by the same check at every heartbeat.
  void user_changed(const std::string& name, std::function<void()> then);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
