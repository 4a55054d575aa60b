// Feeds arbitrary bytes to the config loader: it must either return a config or throw
// ConfigError — never crash, hang or throw anything else.
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    omnigate::config::load_config_from_string(text, "/fuzz");
  } catch (const omnigate::config::ConfigError&) {
    // Rejected input is the expected outcome for most inputs.
  }
  return 0;
}
