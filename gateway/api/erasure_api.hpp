// Erasure of a customer on request and legal holds over /api/v1 (docs/api.md "Erasure and legal
// hold"): POST /customers/{id}/erase, POST and DELETE /customers/{id}/legal-hold. Admins only,
// each with a reason, each audited; the audit row of an erasure keeps only its fact (who, when,
// which record number, the reason and counts), none of the person's data.
#pragma once

#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class ErasureApi {
 public:
  // An erased customer's open conversations are closed: `routing` lets them go.
  ErasureApi(store::Store& store, dispatch::RoutingDispatcher& routing);
  ~ErasureApi();
  ErasureApi(const ErasureApi&) = delete;
  ErasureApi& operator=(const ErasureApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
