// After-sales service cases over /api/v1 (docs/api.md "Service cases"): open a case on a
// conversation, move it through the handbook's stages, read cases and the stage report.
#pragma once

#include "http/router.hpp"
#include "service/service_cases.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::service {

class ServiceCaseApi {
 public:
  ServiceCaseApi(store::Store& store, const ServiceCases& cases);
  ~ServiceCaseApi();
  ServiceCaseApi(const ServiceCaseApi&) = delete;
  ServiceCaseApi& operator=(const ServiceCaseApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::service
