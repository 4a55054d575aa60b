// Parsing the header lines of an HTTP response fetched for a plugin (untrusted input: any
// server a plugin talks to). Kept apart from the libcurl code so it can be fuzzed alone.
#pragma once

#include "http/http_types.hpp"

#include <string_view>

namespace omnigate::plugin_host {

// Adds one raw header line, as libcurl hands them over (CRLF included), to `headers`.
// A status line ("HTTP/1.1 100 Continue") starts a new response, so the headers of an interim
// response are dropped; lines without ':' (the blank end line) are ignored.
void add_response_header_line(std::string_view line, http::HeaderList& headers);

}  // namespace omnigate::plugin_host
