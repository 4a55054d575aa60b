// Tiers from customer value over /api/v1 (docs/api.md "Customer value and tier history"): run
// the recomputation now, see the last run, and read a customer's tier history with the reason
// of every change. Same authentication, role guard, error shape and audit as the admin API.
#pragma once

#include "customers/valuation_run.hpp"
#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class CustomerValuationApi {
 public:
  // `scheduler` null: [customers.valuation] is not configured (a run is refused with 409).
  CustomerValuationApi(store::Store& store, customers::ValuationScheduler* scheduler);
  ~CustomerValuationApi();
  CustomerValuationApi(const CustomerValuationApi&) = delete;
  CustomerValuationApi& operator=(const CustomerValuationApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
