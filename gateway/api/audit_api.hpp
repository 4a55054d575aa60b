// GET /api/v1/admin/audit (docs/api.md "Audit log"): the append-only audit log for admins,
// newest first, filtered by actor, action (or a family "auth.") and period, paged backwards
// with ?before=<id>.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class AuditApi {
 public:
  explicit AuditApi(store::Store& store);
  ~AuditApi();
  AuditApi(const AuditApi&) = delete;
  AuditApi& operator=(const AuditApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
