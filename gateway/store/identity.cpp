#include "store/identity.hpp"

#include "omnigate/utf8.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <unordered_map>

namespace omnigate::store {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Domains are ASCII on the wire (internationalised ones as "xn--" A-labels), so folding ASCII is
// the whole rule; std::tolower would follow the process locale.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Twilio's channel addresses (https://www.twilio.com/docs/messaging/channels): the prefix names
// the network, the rest is a number or, for Messenger, the page-scoped user id.
struct ChannelPrefix {
  std::string_view prefix;  // also the identity kind, without the ':'
  bool number;              // E.164 after the prefix; else an id of digits
};
constexpr std::array<ChannelPrefix, 3> kChannelPrefixes{{
    {"whatsapp", true},
    {"rcs", true},
    {"messenger", false},
}};

// At most kMaxAddressBytes, cut before a character rather than inside one.
std::string capped(std::string text) {
  if (text.size() <= kMaxAddressBytes) return text;
  std::size_t cut = kMaxAddressBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

Identity unverified(std::string_view raw, std::string problem) {
  return {"unverified", capped(utf8::repaired(raw)), std::move(problem)};
}

Identity channel_identity(const ChannelPrefix& channel, std::string_view rest,
                          std::string_view region) {
  const std::string kind(channel.prefix);
  if (channel.number) {
    if (auto number = e164(rest, region)) return {kind, kind + ":" + *number, ""};
    return {};
  }
  if (!rest.empty() && rest.size() <= 32 && std::all_of(rest.begin(), rest.end(), is_digit))
    return {kind, kind + ":" + std::string(rest), ""};
  return {};
}

}  // namespace

std::optional<std::string> e164(std::string_view number, std::string_view region) {
  number = trim(number);
  if (number.empty()) return std::nullopt;
  // "ZZ" (unknown region) makes the parser insist on the leading "+".
  const std::string parse_region = region.empty() ? "ZZ" : std::string(region);
  if (region.empty() && number.front() != '+') return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  if (util.Parse(std::string(number), parse_region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR)
    return std::nullopt;
  // Possible rather than valid: "valid" also checks the allocated ranges, and the metadata Debian
  // ships ages, so a customer on a newly opened range would otherwise be refused.
  if (util.IsPossibleNumberWithReason(parsed) != PhoneNumberUtil::IS_POSSIBLE) return std::nullopt;
  std::string out;
  util.Format(parsed, PhoneNumberUtil::E164, &out);
  return out;
}

bool is_phone_region(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.count(std::string(region)) > 0;
}

std::string normalise_email(std::string_view raw) {
  std::string out(trim(raw));
  const auto at = out.rfind('@');
  if (at == std::string::npos) return out;
  std::transform(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(),
                 out.begin() + static_cast<std::ptrdiff_t>(at), ascii_lower);
  return out;
}

std::string identity_match_key(std::string_view kind, std::string_view address) {
  if (kind == "phone") return "tel:" + std::string(address);
  if (kind == "whatsapp" || kind == "rcs") {
    const auto colon = address.find(':');
    if (colon != std::string_view::npos) return "tel:" + std::string(address.substr(colon + 1));
  }
  if (kind == "email") {
    std::string lower(address);
    std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
    return "mailto:" + lower;
  }
  return {};
}

namespace {

Identity parse_uncached(std::string_view kind, std::string_view raw, std::string_view region) {
  const std::string_view address = trim(raw);
  if (!utf8::is_valid(address)) return unverified(address, "from_address: not UTF-8");
  if (address.size() > kMaxAddressBytes)
    return unverified(address,
                      "from_address: longer than " + std::to_string(kMaxAddressBytes) + " bytes");
  if (kind == "phone") {
    for (const auto& channel : kChannelPrefixes) {
      if (address.size() > channel.prefix.size() && address.starts_with(channel.prefix) &&
          address[channel.prefix.size()] == ':') {
        auto id = channel_identity(channel, address.substr(channel.prefix.size() + 1), region);
        if (!id.kind.empty()) return id;
        return unverified(address,
                          "from_address: not a " + std::string(channel.prefix) + " address");
      }
    }
    if (auto number = e164(address, region)) return {"phone", *number, ""};
    return unverified(address, region.empty()
                                   ? "from_address: not a phone number in international format"
                                   : "from_address: not a phone number");
  }
  if (kind == "email") return {"email", normalise_email(address), ""};
  return {std::string(kind), std::string(address), ""};
}

}  // namespace

void load_phone_number_metadata() {
  static_cast<void>(PhoneNumberUtil::GetInstance());
}

Identity parse_identity(std::string_view kind, std::string_view raw, std::string_view region) {
  if (kind != "phone") return parse_uncached(kind, raw, region);
  // Parsing a number costs ~18 us (libphonenumber's regular expressions), more than a third of
  // what the rest of a webhook costs (bench/README.md), and customers write again and again from
  // the same few numbers: each thread keeps its last few thousand results.
  constexpr std::size_t kRemembered = 4096;
  thread_local std::unordered_map<std::string, Identity> remembered;
  thread_local std::string key;
  // The region is part of the key: a channel instance may read national numbers differently.
  key.assign(region);
  key += '|';
  key.append(raw);
  if (const auto it = remembered.find(key); it != remembered.end()) return it->second;
  if (remembered.size() >= kRemembered) remembered.clear();
  return remembered.emplace(key, parse_uncached(kind, raw, region)).first->second;
}

}  // namespace omnigate::store
