// The audit row of an API call (docs/api.md "Audit log"): who (the caller's user), what (action
// and object), from where (`from`: the request's client address) and when (now), with a detail
// object. The row is written on the store's writer thread; the call does not wait for it.
#pragma once

#include "api/role_guard.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace omnigate::api {

void audit_call(store::Store& store, const Caller& caller, const std::string& from,
                std::string action, std::string object,
                const nlohmann::json& detail = nlohmann::json::object());

}  // namespace omnigate::api
