#include "http/access_rule.hpp"

namespace omnigate::http {

AccessRule AccessRule::for_roles(std::vector<std::string> roles) {
  return {Kind::roles, std::move(roles)};
}

AccessRule AccessRule::for_anyone() {
  return {Kind::anyone, {}};
}

AccessRule AccessRule::for_plugin() {
  return {Kind::plugin, {}};
}

AccessRule AccessRule::for_ticket(std::vector<std::string> roles) {
  return {Kind::ticket, std::move(roles)};
}

const char* to_string(AccessRule::Kind kind) {
  switch (kind) {
    case AccessRule::Kind::roles:
      return "roles";
    case AccessRule::Kind::anyone:
      return "anyone";
    case AccessRule::Kind::plugin:
      return "plugin";
    case AccessRule::Kind::ticket:
      return "ticket";
  }
  return "roles";
}

}  // namespace omnigate::http
