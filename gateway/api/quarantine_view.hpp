// How a quarantine entry is shown to an operator, by the admin API and the CLI alike: its JSON
// shape (docs/api.md "Quarantine and disabled instances"), and the body inside a captured input.
#pragma once

#include "store/model.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::api {

// Every column but the raw input; times are Unix milliseconds, absent ones null.
nlohmann::json quarantine_entry_json(const store::QuarantineEntry& e);
// ... with the raw input: "raw" when it is UTF-8, else "raw_base64"; and "body" when the raw
// input is a JSON object whose "body_base64" decodes to UTF-8 (a webhook's body as received).
nlohmann::json quarantine_entry_json_with_raw(const store::QuarantineEntry& e);

// The decoded "body_base64" of a raw input that is a JSON object, when it is valid UTF-8.
std::optional<std::string> readable_body(const std::string& raw);

}  // namespace omnigate::api
