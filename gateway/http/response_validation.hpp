// Whether a Response can go on the wire as it is. The server checks every handler's reply with
// it before Beast sees it (Beast aborts the write with an exception on a body where none is
// allowed, and copies header values verbatim, CR/LF included); the plugin host checks a
// plugin's reply with it when respond() is called, so the plugin learns at once.
#pragma once

#include "http/http_types.hpp"

#include <string>
#include <string_view>

namespace omnigate::http {

// Why `response` cannot be sent; empty when it can. The rules (RFC 9110, RFC 9112):
//  - the status is a final status, 200..599 (an interim 1xx is never a handler's reply: a final
//    "101 Switching Protocols" would hand the client's connection over);
//  - no body on 204, 205 and 304;
//  - every header name is a token; header values and the content type hold no control
//    character but horizontal tab (no CR, LF or NUL: no header injection).
std::string response_error(const Response& response);

// Untrusted text as it may be quoted in a log line or an error: control characters and
// bytes above 0x7e as \xNN, cut after 64 bytes.
std::string printable(std::string_view text);

}  // namespace omnigate::http
