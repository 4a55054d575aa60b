#include <omnigate/common/twilio_signature.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace omnigate::twilio {
namespace {

std::string base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Where the authority (host[:port]) of an absolute URL lies, and its port separator if any.
struct Authority {
  size_t begin = 0, end = 0;
  std::optional<size_t> colon;  // position of ':' before the port
  std::string_view default_port;
};

std::optional<Authority> find_authority(std::string_view url) {
  Authority a;
  if (url.starts_with("https://")) {
    a.begin = 8;
    a.default_port = "443";
  } else if (url.starts_with("http://")) {
    a.begin = 7;
    a.default_port = "80";
  } else {
    return std::nullopt;
  }
  a.end = url.find_first_of("/?#", a.begin);
  if (a.end == std::string_view::npos) a.end = url.size();
  std::string_view authority = url.substr(a.begin, a.end - a.begin);
  size_t at = authority.rfind('@');
  size_t host_begin = at == std::string_view::npos ? 0 : at + 1;
  // An IPv6 literal "[::1]:443" has colons inside the brackets; the port follows the ']'.
  size_t search_from = authority.find(']', host_begin);
  search_from = search_from == std::string_view::npos ? host_begin : search_from;
  size_t colon = authority.find(':', search_from);
  if (colon != std::string_view::npos) a.colon = a.begin + colon;
  return a;
}

// The other spelling of `url` Twilio may have signed: default port added or removed.
std::optional<std::string> alternate_url(std::string_view url) {
  auto a = find_authority(url);
  if (!a) return std::nullopt;
  std::string out(url.substr(0, a->end));
  if (!a->colon) {
    out += ':';
    out += a->default_port;
  } else {
    std::string_view port = url.substr(*a->colon + 1, a->end - *a->colon - 1);
    if (port != a->default_port) return std::nullopt;
    out.resize(*a->colon);
  }
  out += url.substr(a->end);
  return out;
}

bool equal_constant_time(std::string_view expected, std::string_view given) {
  // The length of a base64 SHA-1 is public (28); only the contents must not leak by timing.
  return expected.size() == given.size() &&
         CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
}

}  // namespace

std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form::Fields& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& p : params) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  std::string data(url);
  for (const auto* p : sorted) {
    data += p->first;
    data += p->second;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return base64(mac, mac_len);
}

bool signature_matches(std::string_view auth_token, std::string_view url,
                       const form::Fields& params, std::string_view signature) {
  if (signature.empty()) return false;
  if (equal_constant_time(compute_signature(auth_token, url, params), signature)) return true;
  auto other = alternate_url(url);
  return other && equal_constant_time(compute_signature(auth_token, *other, params), signature);
}

}  // namespace omnigate::twilio
