// One person, one record over /api/v1 (docs/api.md "Customer merges"): likely duplicates, a
// merge's preview with the fields in conflict, the merge with the survivor's chosen values, and
// its undo within [customers] merge_undo_hours. Same authentication, role guard, error shape and
// audit as the admin API.
#pragma once

#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class CustomerMergeApi {
 public:
  // Each merge and undo repositions the customers' open conversations in `routing` (their tier
  // and account may change). Register before AdminApi: its GET /customers/{id} would otherwise
  // take /customers/duplicates.
  CustomerMergeApi(store::Store& store, dispatch::RoutingDispatcher& routing,
                   store::UnixMs undo_window_ms);
  ~CustomerMergeApi();
  CustomerMergeApi(const CustomerMergeApi&) = delete;
  CustomerMergeApi& operator=(const CustomerMergeApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
