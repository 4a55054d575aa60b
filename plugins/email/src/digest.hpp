// SHA-256 in lower-case hex: the plugin's stable names for things without one of their own (a
// mail without a Message-ID, a long Message-ID as a kv key, our Message-IDs of replies).
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

std::string sha256_hex(std::string_view data);

}  // namespace omnigate::email
