// The admin API under /api/v1 (docs/api.md "Admin"): agents, users and their tokens, teams,
// skills and customers' tiers and accounts. Same authentication, role guard, error shape and
// audit as AgentApi; every change reaches the running routing engine at once.
#pragma once

#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>
#include <string>

namespace omnigate::api {

class AdminApi {
 public:
  AdminApi(store::Store& store, dispatch::RoutingDispatcher& dispatcher);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  void register_routes(http::Router& router);

  // Called once a user was removed or changed role; the change is answered when `then` runs.
  // (The event stream closes the user's streams that the change made void.)
  using UserChanged = std::function<void(const std::string& name, std::function<void()> then)>;
  void on_user_changed(UserChanged fn);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
