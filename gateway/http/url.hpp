// Percent-decoding for request paths and query strings (RFC 3986), shared by the server (path)
// and Request::query_param (query).
#pragma once

#include <string>
#include <string_view>

namespace omnigate::http {

// Decodes %XX escapes; a malformed escape is kept literally. With `plus_is_space` (query
// strings, application/x-www-form-urlencoded) '+' becomes ' '.
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace omnigate::http
