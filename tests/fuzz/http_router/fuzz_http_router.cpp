// The request-target handling a client controls: percent-decoding of the path, route matching
// with captures and wildcards, and query parameter decoding. Input: a request target.
#include "http/router.hpp"
#include "http/url.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const omnigate::http::Router& router() {
  static const omnigate::http::Router r = [] {
    omnigate::http::Router routes;
    auto noop = [](const omnigate::http::Request&, omnigate::http::Reply) {};
    const auto kAnyone = omnigate::http::AccessRule::for_anyone();
    routes.add("GET", "/healthz", kAnyone, noop);
    routes.add("POST", "/api/v1/conversations/{id}/reply", kAnyone, noop);
    routes.add("GET", "/api/v1/conversations/{id}", kAnyone, noop);
    routes.add("POST", "/channels/sms/sms", kAnyone, noop);
    routes.add("GET", "/*", kAnyone, noop);
    routes.add_ws("/channels/chat/ws/{session}", kAnyone, {});
    return routes;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string target(reinterpret_cast<const char*>(data), size);
  const auto q = target.find('?');
  omnigate::http::Request req;
  req.path = omnigate::http::percent_decode(target.substr(0, q), false);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  for (const char* method : {"GET", "POST", "DELETE"}) {
    const auto m = router().match(method, req.path);
    if (m.handler && m.pattern.empty()) __builtin_trap();  // a match always names its route
  }
  router().match_ws(req.path);
  req.query_param("id");
  req.query_param("");
  return 0;
}
