#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/startup.hpp"

#include "api/access_token.hpp"
#include "api/request_body.hpp"
#include "core/password_hash.hpp"
#include "core/sha256.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>

namespace omnigate::app {

int users_add_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    if (args.positional.size() != 1) {
      print_error("expected one argument: the new user's NAME");
      return kExitUsage;
    }
    // Validated exactly like POST /api/v1/admin/users.
    nlohmann::json body = {{"name", args.positional[0]}};
    const std::string roles = args.get("role").value_or("");
    if (roles.find(',') == std::string::npos) {
      body["role"] = roles;
    } else {
      body["roles"] = nlohmann::json::array();
      for (std::size_t start = 0; start <= roles.size();) {
        const auto comma = std::min(roles.find(',', start), roles.size());
        body["roles"].push_back(roles.substr(start, comma - start));
        start = comma + 1;
      }
    }
    if (auto agent = args.get("agent")) body["agent_id"] = *agent;
    auto parsed = api::parse_user_body(body.dump());
    if (!parsed.value) {
      print_error(parsed.error.message);
      return kExitUsage;
    }
    const store::User user = *parsed.value;
    if (store.get_user(user.name)) {
      print_error("user " + user.name + " already exists (remove it first to issue a new token)");
      return kExitFailure;
    }
    if (user.agent_id && !store.get_agent(*user.agent_id)) {
      print_error("no agent " + *user.agent_id + " (add it with `omnigate agents add`)");
      return kExitFailure;
    }
    const std::string token = api::generate_access_token();
    const auto r = committed<store::Nothing>(
        [&](auto done) { store.upsert_user(user, sha256_hex(token), std::move(done)); });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    std::cout << "added user " << user.name << " (" << store::roles_text(user.roles, ", ") << ")\n"
              << "token: " << token << "\n"
              << "The token is shown only this once; the database keeps only its SHA-256."
              << std::endl;
    return kExitOk;
  });
}

int users_remove_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    if (args.positional.size() != 1) {
      print_error("expected one argument: the user's NAME");
      return kExitUsage;
    }
    const std::string name = args.positional[0];
    const auto r =
        committed<store::Nothing>([&](auto done) { store.delete_user(name, std::move(done)); });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    // Tokens are looked up on every request: the revocation holds at once, running gateway or not.
    std::cout << "removed user " << name << "; their token no longer authenticates" << std::endl;
    return kExitOk;
  });
}

int users_hash_password_command(const Args& args) {
  if (!args.positional.empty()) {
    print_error("expected no arguments: the password comes on standard input");
    return kExitUsage;
  }
  std::string password;
  std::getline(std::cin, password);
  if (password.size() < 8) {
    print_error("expected a password of at least 8 characters on standard input");
    return kExitUsage;
  }
  std::cout << hash_password(password) << std::endl;
  return kExitOk;
}

}  // namespace omnigate::app
