// URL checks for the sanitiser and html_to_text. A URL is judged the way a browser reads it
// (tabs and newlines inside it removed, leading control characters and spaces ignored), so
// "jav&#x09;ascript:" or " javascript:" cannot pass as something else. A URL without a scheme is
// relative, and in a message shown inside the console a relative URL points at the console
// itself: callers treat "no scheme" as not allowed.
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

// The URL a browser would use for `value` (an attribute value after entity decoding).
std::string normalize_url(std::string_view value);

// The lower-cased scheme of a normalised URL ("https", "cid", ...), or "" if it has none.
std::string url_scheme(std::string_view normalized_url);

// http, https, mailto, tel: the schemes a link in a message may use.
bool is_allowed_link_scheme(std::string_view scheme);

}  // namespace omnigate::email
