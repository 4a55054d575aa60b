// API tokens the gateway makes for new users (POST /api/v1/admin/users, `omnigate users add`).
#pragma once

#include <string>

namespace omnigate::api {

// 32 bytes from OpenSSL's CSPRNG as 64 lower-case hex characters. Shown once to whoever creates
// the user; only its SHA-256 is stored. Throws std::runtime_error if no randomness is available.
std::string generate_access_token();

}  // namespace omnigate::api
