#include "api/report_export_audit.hpp"

#include "api/audit_call.hpp"

namespace omnigate::api {

void audit_report_export(store::Store& store, const Caller& caller, const http::Request& req,
                         const std::string& report, const Period& period) {
  audit_call(store, caller, req.remote_addr, "report.export", "report:" + report,
             {{"from", period.from}, {"to", period.to}});
}

}  // namespace omnigate::api
