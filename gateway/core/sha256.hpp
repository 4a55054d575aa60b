// SHA-256 as lower-case hex: how API tokens are stored and compared (never in plain text).
#pragma once

#include <string>
#include <string_view>

namespace omnigate {

std::string sha256_hex(std::string_view data);

}  // namespace omnigate
