// Serves the agents' console (web/console, docs/console.md): its page at "/" and its scripts,
// styles and message catalogues under "/console/", each with headers that keep a browser from
// running anything the console did not ship.
#pragma once

#include "http/router.hpp"

#include <string>

namespace omnigate::http {

// Mounts `GET /` (console_dir's index.html) and `GET /console/*` (its files). Add it before
// serve_static, whose `GET /*` would otherwise answer "/".
void serve_console(Router& router, const std::string& console_dir);

// What every console answer carries: a Content-Security-Policy that allows only the gateway's
// own scripts, styles and connections (no inline script, no framing), and no Referer leaving
// the console.
const HeaderList& console_security_headers();

}  // namespace omnigate::http
