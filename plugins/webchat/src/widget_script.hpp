// The widget (plugins/webchat/widget/widget.js), compiled into the plugin so that the one file an
// operator installs serves it: GET /channels/<instance>/widget.js.
#pragma once

#include <string_view>

namespace omnigate::webchat {

extern const std::string_view kWidgetScript;

}  // namespace omnigate::webchat
