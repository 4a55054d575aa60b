// JSON as the web chat sends and stores it: compact, and text that is not UTF-8 (a name or a
// message from a host struct) replaced with U+FFFD rather than throwing mid-callback.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace omnigate::webchat {

inline std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace omnigate::webchat
