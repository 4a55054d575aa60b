#include "api/quarantine_view.hpp"

#include "core/base64.hpp"

#include "omnigate/utf8.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

json optional_ms(const std::optional<store::UnixMs>& t) {
  return t ? json(*t) : json(nullptr);
}

json optional_text(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

}  // namespace

json quarantine_entry_json(const store::QuarantineEntry& e) {
  return {{"id", e.id},
          {"instance", e.instance},
          {"input_kind", e.input_kind},
          {"input_key", e.input_key},
          {"status", e.status},
          {"crashes", e.crashes},
          {"first_crash_at", e.first_crash_at},
          {"last_crash_at", e.last_crash_at},
          {"last_reason", e.last_reason},
          {"quarantined_at", optional_ms(e.quarantined_at)},
          {"released_at", optional_ms(e.released_at)},
          {"released_by", optional_text(e.released_by)},
          {"replayed_at", optional_ms(e.replayed_at)},
          {"dropped_at", optional_ms(e.dropped_at)},
          {"dropped_by", optional_text(e.dropped_by)}};
}

json quarantine_entry_json_with_raw(const store::QuarantineEntry& e) {
  json out = quarantine_entry_json(e);
  if (utf8::is_valid(e.raw))
    out["raw"] = e.raw;
  else
    out["raw_base64"] = base64_encode(e.raw);
  if (auto body = readable_body(e.raw)) out["body"] = *body;
  return out;
}

std::optional<std::string> readable_body(const std::string& raw) {
  const json parsed = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  const auto it = parsed.find("body_base64");
  if (it == parsed.end() || !it->is_string()) return std::nullopt;
  auto body = base64_decode(it->get<std::string>());
  if (!body || !utf8::is_valid(*body)) return std::nullopt;
  return body;
}

}  // namespace omnigate::api
