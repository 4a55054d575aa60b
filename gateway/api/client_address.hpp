// Where a request came from, for the audit log: the peer address, or — behind a proxy the
// operator trusts ([auth] trust_forwarded_for) — the address that proxy put last in
// X-Forwarded-For. An untrusted X-Forwarded-For is ignored: any client can write any address.
#pragma once

#include "http/http_types.hpp"

#include <string>

namespace omnigate::api {

std::string client_address(const http::Request& req, bool trust_forwarded_for);

}  // namespace omnigate::api
