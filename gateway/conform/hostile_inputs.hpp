// The hostile requests the conformance kit sends to every route a plugin registered, and how
// it names one in a report (escaped, truncated), so a failure can be reproduced by hand.
#pragma once

#include "conform/http_probe.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::conform {

// Rule names of the hostile-input rules, in report order.
inline constexpr const char* kRuleEmptyBody = "empty body";
inline constexpr const char* kRuleHugeBody = "huge body";
inline constexpr const char* kRuleBinaryBody = "binary body";
inline constexpr const char* kRuleContentType = "wrong content type";
inline constexpr const char* kRuleRandomBytes = "random bytes";

struct HostileRequest {
  const char* rule;
  HttpProbe probe;
};

// The fixed requests for one route: `method` is the route's ("" = any: POST is sent),
// `huge_bytes` the body size that must be over the route's limit.
std::vector<HostileRequest> fixed_requests(const std::string& method, const std::string& path,
                                           std::size_t huge_bytes);
// One request of random bytes (body 1..8192 bytes, sometimes a random query string).
HttpProbe random_request(const std::string& method, const std::string& path, std::mt19937_64& rng);

// `data` as C-style escaped text ("CRASH\x00\xff..."), at most `max` input bytes.
std::string escape_bytes(std::string_view data, std::size_t max = 48);
// "POST /channels/x/hook, Content-Type: application/json, 12-byte body \"{...}\"".
std::string describe_request(const HttpProbe& probe);

}  // namespace omnigate::conform
