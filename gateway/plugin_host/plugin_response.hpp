// The reply a plugin gives through respond(), checked and copied into an http::Response. A
// reply the host refuses never reaches the client: the request is answered 500 instead.
#pragma once

#include "http/http_types.hpp"

#include <omnigate/plugin_abi.h>

#include <cstddef>
#include <string>

namespace omnigate::plugin_host {

// The limits of a plugin's reply (plugins/sdk/ABI.md). 16 KiB of headers is what common HTTP
// clients accept (Node.js's default); a webhook acknowledgement is far below both.
constexpr std::size_t max_reply_body_bytes = 4 * 1024 * 1024;
constexpr std::size_t max_reply_header_bytes = 16 * 1024;  // names, values, ": " and CRLF
constexpr std::size_t max_reply_header_count = 100;

// Copies `in` into `out`; returns why the reply cannot be sent (empty when it can): a length
// without a pointer, a limit above, or any rule of http::response_error.
std::string to_http_response(const og_http_response& in, http::Response& out);

}  // namespace omnigate::plugin_host
