// Contact logging over /api/v1 (docs/api.md "Contact logs"): an agent logs the contact on a
// conversation they had; supervisors read each agent's compliance with the logging window.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::service {

class ContactLogApi {
 public:
  explicit ContactLogApi(store::Store& store);
  ~ContactLogApi();
  ContactLogApi(const ContactLogApi&) = delete;
  ContactLogApi& operator=(const ContactLogApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::service
