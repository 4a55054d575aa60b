// The reporting period a GET names with ?from=&to= (Unix milliseconds, `to` exclusive); the
// reports (KPIs, contact-logging compliance) read it the same way.
#pragma once

#include "http/router.hpp"
#include "store/model.hpp"

#include <optional>
#include <variant>

namespace omnigate::api {

// The reports' period when the request names none: the last 30 days.
inline constexpr store::UnixMs kDefaultReportSpanMs = 30LL * 24 * 60 * 60 * 1000;

struct Period {
  store::UnixMs from = 0, to = 0;
};

// The period, defaulting to the `default_span_ms` before `now`; or the 400 to send.
std::variant<Period, http::Response> period_params(const http::Request& req, store::UnixMs now,
                                                   store::UnixMs default_span_ms);

}  // namespace omnigate::api
