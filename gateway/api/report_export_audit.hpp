// The audit row of a report read (issue 18: "exports" are audited like transcript reads):
// action "report.export", object "report:<name>", the period as detail. KPI and service reports
// carry agents' names and figures out of the gateway, so who took them and when is kept.
#pragma once

#include "api/period_params.hpp"
#include "api/role_guard.hpp"
#include "http/http_types.hpp"
#include "store/store.hpp"

#include <string>

namespace omnigate::api {

void audit_report_export(store::Store& store, const Caller& caller, const http::Request& req,
                         const std::string& report, const Period& period);

}  // namespace omnigate::api
