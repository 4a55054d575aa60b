#include "api/audit_call.hpp"

#include "core/clock.hpp"

namespace omnigate::api {

void audit_call(store::Store& store, const Caller& caller, const std::string& from,
                std::string action, std::string object, const nlohmann::json& detail) {
  store.audit(
      {caller.user.name, std::move(action), std::move(object), from, detail.dump(), now_ms()},
      [](store::Outcome<store::Nothing>) {});
}

}  // namespace omnigate::api
