// application/x-www-form-urlencoded: the body format of Twilio webhooks and of Twilio's REST
// API requests. Parsing is lenient on purpose: a webhook with one bad escape still carries a
// message worth keeping, so the parser decodes what it can and reports that it was malformed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::form {

// Name/value pairs in the order they appeared. Repeated names stay repeated (MediaUrl, ...).
using Fields = std::vector<std::pair<std::string, std::string>>;

struct ParseResult {
  Fields fields;
  // True when some escape was not "%XX" with two hex digits; such bytes are kept literally.
  bool malformed = false;
  // Human-readable description of the first problem (empty when well-formed).
  std::string problem;
};

// Splits on '&', then on the first '='; '+' decodes to a space and "%XX" to the byte 0xXX.
// Empty segments ("a=1&&b=2") are skipped; a segment without '=' is a name with an empty value.
ParseResult parse(std::string_view body);

// Decodes one component ('+' → space, "%XX" → byte). Returns nullopt on a malformed escape.
std::optional<std::string> decode_component(std::string_view text);

// Encodes one component: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, space becomes '+',
// everything else "%XX" (upper-case hex).
std::string encode_component(std::string_view text);

// Encodes every pair, joined with '&', in the given order.
std::string encode(const Fields& fields);

// Value of the first field with exactly this name.
std::optional<std::string_view> find(const Fields& fields, std::string_view name);

}  // namespace omnigate::form
