// Request bodies of the agent API are untrusted: every validator must answer (value or error
// naming a field) for any byte string, without crashing or throwing.
#include "api/request_body.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace omnigate::api;
  auto check = [](const auto& parsed) {
    if (!parsed.value && parsed.error.code.empty()) __builtin_trap();  // an error must say why
  };
  check(parse_reply_body(body));
  check(parse_transfer_body(body));
  check(parse_presence_body(body));
  check(parse_priority_body(body));
  check(parse_complaint_body(body, ComplaintConversation::in_body));
  check(parse_complaint_body(body, ComplaintConversation::in_path));
  check(parse_routing_reload_body(body));
  return 0;
}
