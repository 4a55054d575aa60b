// Request bodies of the agents' workspace (docs/api.md "Internal notes", "Preferences", "Canned
// responses", "Merging conversations"): untrusted JSON in, typed values or an error naming the
// field out. Pure functions like request_body.hpp's; the time zone is looked up in the system
// tz database.
#pragma once

#include "api/request_body.hpp"
#include "store/workspace_records.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::api {

inline constexpr std::size_t kMaxNoteBytes = 10000;
inline constexpr std::size_t kMaxTimeZoneBytes = 64;  // IANA names are far shorter
inline constexpr std::size_t kMaxCannedShortcutBytes = 64;
inline constexpr std::size_t kMaxCannedTitleBytes = 200;
inline constexpr std::size_t kMaxCannedBodyBytes = 10000;

// The languages the consoles have message catalogues for.
bool is_console_language(std::string_view language);

// {"body": "text"}: 1..kMaxNoteBytes bytes.
Parsed<std::string> parse_note_body(std::string_view body);

// {"language"?: "en" | "zh-CN" | null, "time_zone"?: IANA name | null}.
struct PreferencesBody {
  // Unset: unchanged. Set to nullopt (JSON null): cleared.
  std::optional<std::optional<std::string>> language, time_zone;
};
Parsed<PreferencesBody> parse_preferences_body(std::string_view body);

// {"shortcut", "title", "body", "language"?, "team"?}: shortcut 1..64 bytes without white space
// or control characters, title 1..200 bytes, body 1..10000 bytes, language one the consoles
// know or null (any), team 1..100 printable bytes or null (every team). id, updated_by and
// updated_at are left to the caller.
Parsed<store::CannedResponse> parse_canned_response_body(std::string_view body);

// {"from": <conversation id>}: a positive integer.
Parsed<store::Id> parse_merge_body(std::string_view body);

}  // namespace omnigate::api
