// Fuzzes the DOM-free JSON writer with the bytes a provider may send in any kept field: the
// text must always be JSON that nlohmann accepts, and whatever nlohmann itself can serialise
// (valid UTF-8) must read back unchanged.
#include <omnigate/common/json_object_writer.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string text = omnigate::json_text::ObjectWriter().add(bytes, bytes).finish();
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || doc.size() != 1) std::abort();
  bool valid_utf8 = true;
  try {
    (void)nlohmann::json(bytes).dump();  // throws on bytes that are not UTF-8
  } catch (const nlohmann::json::type_error&) {
    valid_utf8 = false;
  }
  if (valid_utf8 && (!doc.contains(bytes) || doc[bytes] != bytes)) std::abort();
  return 0;
}
