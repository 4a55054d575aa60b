// Text made safe to place in HTML, as element content or as a double-quoted attribute value:
// & < > " ' become character references. One escaper for the sanitiser's output and for the
// HTML the plugin writes itself (signatures, attachment lists of replies).
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

void append_html_escaped(std::string& out, std::string_view text);

inline std::string html_escape(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

}  // namespace omnigate::email
