#include "api/client_address.hpp"

namespace omnigate::api {

std::string client_address(const http::Request& req, bool trust_forwarded_for) {
  if (!trust_forwarded_for) return req.remote_addr;
  const auto header = req.header("X-Forwarded-For");
  if (!header) return req.remote_addr;
  // The last entry is the one the trusted proxy appended; earlier ones the client could forge.
  std::string_view last = *header;
  if (const auto comma = last.rfind(','); comma != std::string_view::npos)
    last.remove_prefix(comma + 1);
  const auto start = last.find_first_not_of(' ');
  const auto end = last.find_last_not_of(' ');
  if (start == std::string_view::npos) return req.remote_addr;
  return std::string(last.substr(start, end - start + 1));
}

}  // namespace omnigate::api
