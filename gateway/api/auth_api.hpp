// Logins, sessions, passwords and API tokens under /api/v1/auth and /api/v1/admin (docs/api.md
// "Authentication"): POST /auth/login answers a session token in the body and as an HttpOnly,
// SameSite=Strict cookie; repeated failures lock the name ([auth] lockout_*); every login,
// failure, lock-out, logout, password and token change is audited, secrets never.
#pragma once

#include "config/config.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class AuthApi {
 public:
  AuthApi(store::Store& store, config::AuthConfig config);
  ~AuthApi();
  AuthApi(const AuthApi&) = delete;
  AuthApi& operator=(const AuthApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
