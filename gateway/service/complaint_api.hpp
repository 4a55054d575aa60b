// The complaint ladder and customers' dedicated groups over /api/v1 (docs/api.md "Complaints"):
// agents file complaints and record contact on their own conversations; supervisors and admins
// do everything.
#pragma once

#include "http/router.hpp"
#include "service/complaint_service.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::service {

class ComplaintApi {
 public:
  ComplaintApi(store::Store& store, ComplaintService& complaints);
  ~ComplaintApi();
  ComplaintApi(const ComplaintApi&) = delete;
  ComplaintApi& operator=(const ComplaintApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::service
