// Identity parsing: the same person must map to the same (kind, address) whichever way a channel
// spells it, and an address that is not what its kind promises must not pose as one (a "phone"
// identity is a real E.164 number). Pure functions; the store applies them before every identity
// lookup.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::store {

// Longest address kept (bytes): e-mail allows 254, Messenger's page-scoped ids are ~16 digits.
inline constexpr std::size_t kMaxAddressBytes = 256;

// What a channel's sender address identifies.
struct Identity {
  // "phone" (E.164), "whatsapp", "rcs", "messenger", "email", another channel's own kind, or
  // "unverified": the address is not what the reported kind promises. An unverified sender's
  // messages are kept (and flagged by the store); the identity only threads them together.
  std::string kind;
  // Normalised. The prefixed kinds keep their prefix ("whatsapp:+14155550100"): that is the
  // address on that network, and what a reply must be sent to.
  std::string address;
  // Why the identity is unverified ("" when it is not), e.g. "From: not a phone number".
  std::string problem;
};

// `raw` as the channel reported it under `kind`. For kind "phone" (what Twilio-style plugins
// report for `From`), the channel prefixes Twilio documents select their own kind:
// "whatsapp:+E.164", "rcs:+E.164", "messenger:<page-scoped id>". A number without "+" is read in
// the national format of `region` (an ISO 3166 code, "" = none: international format only).
// E-mail addresses keep their local part as written (normalise_email). Other kinds are only
// checked for UTF-8 and length. Unverified addresses are trimmed, repaired UTF-8, at most
// kMaxAddressBytes.
Identity parse_identity(std::string_view kind, std::string_view raw, std::string_view region);

// Loads libphonenumber's metadata and compiles its regular expressions (tens of millions of
// instructions, once per process), so that the first webhook does not wait for it. The store
// calls it when it opens.
void load_phone_number_metadata();

// The E.164 form ("+" and digits) of a number in international format ("+44 20 7946 0958"), or
// in the national format of `region` ("(415) 555-0100" with "US"), checked with libphonenumber:
// a known country code and a length possible there. Without a region ("") only international
// formats are read: no channel says which country a number without "+" belongs to, only the
// operator's [customers] default_region does.
std::optional<std::string> e164(std::string_view number, std::string_view region = {});

// True for a region libphonenumber has numbering metadata for ("US", "DE", "CN"; upper-case).
bool is_phone_region(std::string_view region);

// Trimmed, the domain lower-cased and the local part kept as written: RFC 5321 (2.4) makes the
// domain case-insensitive but lets the receiving host tell "Ann@" from "ann@".
std::string normalise_email(std::string_view raw);

// What makes two identities likely the same person though they differ (duplicate suggestions,
// never an automatic merge): "tel:<E.164>" for phone, WhatsApp and RCS numbers, "mailto:<the
// address lower-cased>" for e-mail, "" for every other kind.
std::string identity_match_key(std::string_view kind, std::string_view address);

}  // namespace omnigate::store
