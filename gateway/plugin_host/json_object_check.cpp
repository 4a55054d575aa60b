#include "plugin_host/json_object_check.hpp"

#include <simdjson.h>

namespace omnigate::plugin_host {
namespace {

// Past this size a document is parsed by a parser of its own, so a worker thread does not keep
// buffers sized for the largest document it ever saw.
constexpr std::size_t kReusedParserLimit = 64 * 1024;

bool object_in(simdjson::dom::parser& parser, std::string_view text) {
  // realloc_if_needed: the plugin's bytes have no padding; the parser copies them into its own
  // padded buffer (kept between calls).
  const auto root = parser.parse(text.data(), text.size(), true);
  return !root.error() && root.value_unsafe().is_object();
}

}  // namespace

bool is_json_object(std::string_view text) {
  if (text.size() > kReusedParserLimit) {
    simdjson::dom::parser parser;
    return object_in(parser, text);
  }
  thread_local simdjson::dom::parser parser;
  return object_in(parser, text);
}

}  // namespace omnigate::plugin_host
