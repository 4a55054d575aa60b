// GET /api/v1/qa/reports (docs/api.md "Quality review", docs/qa.md "Reports"): the monthly QA
// report per agent, team, channel or tier, as JSON or CSV, for qa, supervisors and admins. Every
// read is audited as a report export (report_export_audit.hpp): it carries agents' figures out.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <omnigate/routing/policy.hpp>

#include <functional>
#include <memory>

namespace omnigate::api {

class QaReportsApi {
 public:
  // Calls its argument with the routing policy in force (RoutingDispatcher::current_policy): the
  // first-response deadline of a contact routing never stored one for comes from it.
  using PolicySource = std::function<void(std::function<void(routing::Policy)>)>;

  QaReportsApi(store::Store& store, PolicySource policy);
  ~QaReportsApi();
  QaReportsApi(const QaReportsApi&) = delete;
  QaReportsApi& operator=(const QaReportsApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
