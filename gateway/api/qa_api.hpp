// The quality-review API (docs/api.md "Quality review", docs/qa.md): samples drawn and assigned
// to reviewers, versioned scorecards, reviews with the agent's acknowledgement or dispute and a
// supervisor's resolution, calibration reports and the sample-size helper. QA, supervisors and
// admins use it; an agent reads, acknowledges and disputes only the reviews of their own work.
// Every change is audited (qa.*).
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class QaApi {
 public:
  // Stores the handbooks' default scorecard as "default" version 1 when there is no scorecard
  // yet, so reviews can start on a fresh installation.
  explicit QaApi(store::Store& store);
  ~QaApi();
  QaApi(const QaApi&) = delete;
  QaApi& operator=(const QaApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
