// The admin API under /api/v1 (docs/api.md "Admin"): agents, users and their tokens, teams,
// skills and customers' tiers and accounts. Same authentication, role guard, error shape and
// audit as AgentApi; every change reaches the running routing engine at once.
#pragma once

#include "api/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class AdminApi {
 public:
  AdminApi(store::Store& store, RoutingDispatcher& dispatcher);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
