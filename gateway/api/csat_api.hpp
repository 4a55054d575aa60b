// POST /api/v1/conversations/{id}/csat (docs/api.md "CSAT", docs/qa.md "CSAT"): a satisfaction
// rating 1–5 the customer gave by phone, entered by the conversation's agent, a supervisor or an
// admin once the conversation is resolved. Ratings by SMS need no call: the store takes them from
// the customer's reply (store::SqliteOptions::csat_sms_window_ms). Audited as conversation.csat.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class CsatApi {
 public:
  explicit CsatApi(store::Store& store);
  ~CsatApi();
  CsatApi(const CsatApi&) = delete;
  CsatApi& operator=(const CsatApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
