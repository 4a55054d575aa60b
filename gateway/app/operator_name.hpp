// Who a command acts as in the audit log when --actor is not given.
#pragma once

#include <cstdlib>
#include <string>

namespace omnigate::app {

// "cli:<login name>" from $USER, "cli:unknown" without it.
inline std::string default_cli_actor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

}  // namespace omnigate::app
