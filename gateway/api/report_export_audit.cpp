#include "api/report_export_audit.hpp"

#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

void audit_report_export(store::Store& store, const Caller& caller, const http::Request& req,
                         const std::string& report, const Period& period) {
  const nlohmann::json detail = {{"from", period.from}, {"to", period.to}};
  store.audit({caller.user.name, "report.export", "report:" + report, req.remote_addr,
               detail.dump(), now_ms()},
              [](store::Outcome<store::Nothing>) {});
}

}  // namespace omnigate::api
