// Admin request bodies are untrusted: every validator must answer (value or error naming a
// field) for any byte string, without crashing or throwing, and what it accepts must be within
// the documented limits.
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
  for (const bool with_id : {true, false}) {
    const auto agent = parse_agent_body(body, with_id);
    check(agent);
    if (agent.value) {
      for (const auto& s : agent.value->skills)
        if (s.level < 1 || s.level > 5) __builtin_trap();
      if (with_id && agent.value->id.empty()) __builtin_trap();
    }
  }
  check(parse_user_body(body));
  const auto patch = parse_customer_patch_body(body);
  check(patch);
  if (patch.value && patch.value->attributes_json &&
      patch.value->attributes_json->size() > kMaxCustomerAttributesBytes)
    __builtin_trap();
  (void)parse_path_id(body);
  return 0;
}
