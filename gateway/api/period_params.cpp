#include "api/period_params.hpp"

#include "api/json_response.hpp"

#include <charconv>
#include <string>

namespace omnigate::api {

std::variant<Period, http::Response> period_params(const http::Request& req, store::UnixMs now,
                                                   store::UnixMs default_span_ms) {
  Period p{now - default_span_ms, now};
  for (auto [name, into] : {std::pair{"from", &p.from}, std::pair{"to", &p.to}}) {
    const auto v = req.query_param(name);
    if (!v) continue;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), *into);
    if (ec != std::errc() || end != v->data() + v->size() || *into < 0)
      return error_response(400, "invalid_field", std::string(name) + " must be Unix milliseconds",
                            name);
  }
  if (p.from >= p.to) return error_response(400, "invalid_field", "from must be before to", "from");
  return p;
}

}  // namespace omnigate::api
