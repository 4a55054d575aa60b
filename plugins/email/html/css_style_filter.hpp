// The `style` attribute of an e-mail's HTML, reduced to declarations that can only change how
// text and boxes look: a property from an allow-list, a value without url(), expression(),
// escapes, comments or other functions than colours and calc(). Anything that can load a
// resource, run code or lay the message over the console's own UI (position) is dropped.
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

struct FilteredStyle {
  std::string style;  // the kept declarations, "property: value; ..." (empty if none)
  bool dropped_any = false;
};

FilteredStyle filter_style(std::string_view style);

}  // namespace omnigate::email
