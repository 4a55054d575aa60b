// Canned responses under /api/v1/canned-responses (docs/api.md "Canned responses"): the texts
// agents insert into a reply, each with a shortcut, a language (or any) and a team (or every
// team). Everyone who works on conversations reads them; supervisors and admins keep them.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class CannedResponsesApi {
 public:
  explicit CannedResponsesApi(store::Store& store);
  ~CannedResponsesApi();
  CannedResponsesApi(const CannedResponsesApi&) = delete;
  CannedResponsesApi& operator=(const CannedResponsesApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
