#include "http/console_files.hpp"

#include "http/static_files.hpp"

namespace omnigate::http {

const HeaderList& console_security_headers() {
  // connect-src 'self' covers the event stream's ws:// or wss:// URL on the same host (CSP 3).
  static const HeaderList kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  };
  return kHeaders;
}

void serve_console(Router& router, const std::string& console_dir) {
  const Handler files = static_file_handler(console_dir, console_security_headers());
  router.add("GET", "/", AccessRule::for_anyone(),
             files);  // no "*" parameter: the directory's index.html
  router.add("GET", "/console/*", AccessRule::for_anyone(), files);
}

}  // namespace omnigate::http
