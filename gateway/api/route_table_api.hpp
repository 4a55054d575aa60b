// GET /api/v1/admin/routes (docs/api.md "Route table"): every route the gateway serves with its
// access rule, for admins and for the endpoint × role matrix test, which is generated from this
// listing so that a route added tomorrow is tried with every role too.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class RouteTableApi {
 public:
  // `router` is read at request time, so routes added after this one are listed too; it must
  // outlive the server (it does: the server matches against it).
  RouteTableApi(store::Store& store, const http::Router& router);
  ~RouteTableApi();
  RouteTableApi(const RouteTableApi&) = delete;
  RouteTableApi& operator=(const RouteTableApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
