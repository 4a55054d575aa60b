// The admin API for what crashing plugins leave behind (docs/api.md "Quarantine and disabled
// instances"): the inputs quarantined for crashing their plugin — list, read, release, drop —
// and the plugin instances disabled by the crash-loop guard, with a way to enable them again.
// Admins only; same authentication and error shape as the rest of /api/v1. The store audits
// each change in the transaction that makes it.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>

namespace omnigate::api {

class QuarantineApi {
 public:
  // `on_change` runs after a release, drop or enable has been committed (on the store's writer
  // thread: keep it short), so the running gateway can act on it at once — replay a released
  // input, start an enabled instance — instead of at its next look at the database.
  explicit QuarantineApi(store::Store& store, std::function<void()> on_change = {});
  ~QuarantineApi();
  QuarantineApi(const QuarantineApi&) = delete;
  QuarantineApi& operator=(const QuarantineApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
