#include "api/quarantine_view.hpp"

#include "omnigate/utf8.hpp"

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <cctype>

namespace omnigate::api {

namespace {

using nlohmann::json;

json optional_ms(const std::optional<store::UnixMs>& t) {
  return t ? json(*t) : json(nullptr);
}

json optional_text(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
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

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  // EVP_DecodeBlock accepts more than base64 (inner whitespace) and cannot tell its padding
  // from zero bytes: check the alphabet and count the padding here.
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i + padding < text.size(); ++i)
    if (!is_base64_char(text[i])) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace omnigate::api
