// What the config tests ask of a text: the error loading it gives (one place, three test files).
#pragma once

#include "config/config.hpp"

#include <string>

namespace omnigate::config::testing {

// The error message of loading `text` (as a file in /etc/og), or "" when it loads.
inline std::string error_of(const std::string& text) {
  try {
    load_config_from_string(text, "/etc/og");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace omnigate::config::testing
