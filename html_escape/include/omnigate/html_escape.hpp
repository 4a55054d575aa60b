// Text made safe to place in HTML, as element content or as a double-quoted attribute value:
// & < > " ' become character references. One escaper for every HTML omnigate writes: the e-mail
// plugin's sanitiser output and its own HTML (signatures, attachment lists of replies), the web
// chat's transcript mails and the gateway's printable transcript exports.
#pragma once

#include <string>
#include <string_view>

namespace omnigate {

void append_html_escaped(std::string& out, std::string_view text);

inline std::string html_escape(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

}  // namespace omnigate
