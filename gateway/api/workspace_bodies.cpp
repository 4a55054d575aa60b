#include "api/workspace_bodies.hpp"

#include "api/live_filter.hpp"

#include <omnigate/routing/calendar.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace omnigate::api {

namespace {

using nlohmann::json;

template <class T>
Parsed<T> fail(std::string code, std::string message, std::string field = {}) {
  Parsed<T> p;
  p.error = {400, std::move(code), std::move(message), std::move(field)};
  return p;
}

// A required string of min..max bytes; nullopt with `err` set otherwise.
std::optional<std::string> sized_string(const json& j, const std::string& field, std::size_t max,
                                        BodyError& err) {
  const auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    err = {400, "missing_field", field + " is required", field};
    return std::nullopt;
  }
  if (!it->is_string()) {
    err = {400, "invalid_field", field + " must be a string", field};
    return std::nullopt;
  }
  auto s = it->get<std::string>();
  if (s.empty()) {
    err = {400, "invalid_field", field + " must not be empty", field};
    return std::nullopt;
  }
  if (s.size() > max) {
    err = {400, "too_long", field + ": at most " + std::to_string(max) + " bytes", field};
    return std::nullopt;
  }
  return s;
}

bool control_free(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// An optional language member: absent or null → nullopt; otherwise one the consoles know.
bool read_language(const json& j, std::optional<std::string>& out, BodyError& err) {
  const auto it = j.find("language");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string() || !is_console_language(it->get<std::string>())) {
    err = {400, "invalid_field", "language must be \"en\", \"zh-CN\" or null", "language"};
    return false;
  }
  out = it->get<std::string>();
  return true;
}

}  // namespace

bool is_console_language(std::string_view language) {
  return language == "en" || language == "zh-CN";
}

Parsed<std::string> parse_note_body(std::string_view body) {
  BodyError err;
  auto j = parse_body_object(body, {"body"}, err);
  if (!j) return {std::nullopt, err};
  auto text = sized_string(*j, "body", kMaxNoteBytes, err);
  if (!text) return {std::nullopt, err};
  return {std::move(text), {}};
}

Parsed<PreferencesBody> parse_preferences_body(std::string_view body) {
  BodyError err;
  auto j = parse_body_object(body, {"language", "time_zone"}, err);
  if (!j) return {std::nullopt, err};
  PreferencesBody out;
  if (j->contains("language")) {
    std::optional<std::string> language;
    if (!read_language(*j, language, err)) return {std::nullopt, err};
    out.language.emplace(std::move(language));
  }
  if (const auto it = j->find("time_zone"); it != j->end()) {
    out.time_zone.emplace();
    if (!it->is_null()) {
      if (!it->is_string())
        return fail<PreferencesBody>("invalid_field", "time_zone must be a string or null",
                                     "time_zone");
      const auto name = it->get<std::string>();
      if (name.size() > kMaxTimeZoneBytes)
        return fail<PreferencesBody>(
            "too_long", "time_zone: at most " + std::to_string(kMaxTimeZoneBytes) + " bytes",
            "time_zone");
      try {
        routing::TimeZone::parse(name);
      } catch (const std::invalid_argument& e) {
        return fail<PreferencesBody>("invalid_field", std::string("time_zone: ") + e.what(),
                                     "time_zone");
      }
      out.time_zone->emplace(name);
    }
  }
  return {std::move(out), {}};
}

Parsed<store::CannedResponse> parse_canned_response_body(std::string_view body) {
  using R = Parsed<store::CannedResponse>;
  BodyError err;
  auto j = parse_body_object(body, {"shortcut", "title", "body", "language", "team"}, err);
  if (!j) return {std::nullopt, err};
  store::CannedResponse r;
  auto shortcut = sized_string(*j, "shortcut", kMaxCannedShortcutBytes, err);
  if (!shortcut) return {std::nullopt, err};
  if (!control_free(*shortcut) || shortcut->find(' ') != std::string::npos)
    return fail<store::CannedResponse>(
        "invalid_field", "shortcut must not contain spaces or control characters", "shortcut");
  r.shortcut = std::move(*shortcut);
  auto title = sized_string(*j, "title", kMaxCannedTitleBytes, err);
  if (!title) return {std::nullopt, err};
  r.title = std::move(*title);
  auto text = sized_string(*j, "body", kMaxCannedBodyBytes, err);
  if (!text) return {std::nullopt, err};
  r.body = std::move(*text);
  if (!read_language(*j, r.language, err)) return R{std::nullopt, err};
  if (const auto it = j->find("team"); it != j->end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > kMaxTeamNameBytes || !control_free(it->get<std::string>()))
      return fail<store::CannedResponse>("invalid_field",
                                         "team must be a team name of 1.." +
                                             std::to_string(kMaxTeamNameBytes) +
                                             " printable characters or null",
                                         "team");
    r.team = it->get<std::string>();
  }
  return {std::move(r), {}};
}

Parsed<store::Id> parse_merge_body(std::string_view body) {
  BodyError err;
  auto j = parse_body_object(body, {"from"}, err);
  if (!j) return {std::nullopt, err};
  const auto it = j->find("from");
  if (it == j->end() || it->is_null())
    return fail<store::Id>("missing_field", "from is required", "from");
  if (!it->is_number_integer() || it->get<store::Id>() <= 0)
    return fail<store::Id>("invalid_field", "from must be a conversation id (a positive integer)",
                           "from");
  return {it->get<store::Id>(), {}};
}

}  // namespace omnigate::api
