#include <omnigate/common/twilio_signature.hpp>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>
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

// The other spelling of `url` Twilio may have signed, as Twilio's SDKs (twilio-python's
// RequestValidator, twilio-node's validateRequest) accept it: the scheme's default port added
// when the URL has none, or the port removed when it has one (any port: both SDKs strip it).
std::optional<std::string> alternate_url(std::string_view url) {
  auto a = find_authority(url);
  if (!a) return std::nullopt;
  std::string out(url.substr(0, a->end));
  if (!a->colon) {
    out += ':';
    out += a->default_port;
  } else {
    std::string_view port = url.substr(*a->colon + 1, a->end - *a->colon - 1);
    bool numeric = !port.empty() && port.find_first_not_of("0123456789") == std::string_view::npos;
    if (!numeric) return std::nullopt;
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

RequestSigner::RequestSigner(std::string_view auth_token)
    : keyed_(nullptr), working_(nullptr), working_mutex_(std::make_unique<std::mutex>()) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (hmac != nullptr) keyed_ = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context holds its own reference
  char digest[] = OSSL_DIGEST_NAME_SHA1;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  // An empty token is still a key (of length 0); OpenSSL wants a pointer either way.
  static const unsigned char kNoKey = 0;
  const auto* key =
      auth_token.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(auth_token.data());
  if (keyed_ == nullptr || EVP_MAC_init(keyed_, key, auth_token.size(), params) != 1) {
    EVP_MAC_CTX_free(keyed_);
    throw std::runtime_error("twilio signature: OpenSSL cannot set up HMAC-SHA1");
  }
  working_ = EVP_MAC_CTX_dup(keyed_);
  if (working_ == nullptr) {
    EVP_MAC_CTX_free(keyed_);
    throw std::runtime_error("twilio signature: OpenSSL cannot copy the HMAC-SHA1 context");
  }
}

RequestSigner::~RequestSigner() {
  EVP_MAC_CTX_free(working_);
  EVP_MAC_CTX_free(keyed_);
}

RequestSigner::RequestSigner(RequestSigner&& other) noexcept
    : keyed_(std::exchange(other.keyed_, nullptr)),
      working_(std::exchange(other.working_, nullptr)),
      working_mutex_(std::move(other.working_mutex_)) {}

RequestSigner& RequestSigner::operator=(RequestSigner&& other) noexcept {
  std::swap(keyed_, other.keyed_);
  std::swap(working_, other.working_);
  std::swap(working_mutex_, other.working_mutex_);
  return *this;
}

std::string RequestSigner::sign(std::string_view url, const form::Fields& params) const {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& p : params) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  // A name repeated with the same value is signed once: Twilio's SDKs sign each distinct value
  // of a name once (twilio-node: `Array.from(new Set(values)).sort()`, twilio-python:
  // `sorted(set(values))`), and so does Twilio.
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const auto* a, const auto* b) { return *a == *b; }),
               sorted.end());
  // The MAC runs over url + name1 + value1 + ..., gathered into one buffer first: each
  // EVP_MAC_update goes through OpenSSL's provider dispatch, and 30 small updates cost more
  // than the hashing itself.
  std::size_t size = url.size();
  for (const auto* p : sorted) size += p->first.size() + p->second.size();
  std::string message;
  message.reserve(size);
  message.append(url);
  for (const auto* p : sorted) message.append(p->first).append(p->second);
  // EVP_MAC_init without a key starts a new MAC with the key already set.
  std::unique_lock<std::mutex> working;
  if (working_mutex_) working = std::unique_lock(*working_mutex_, std::try_to_lock);
  EVP_MAC_CTX* mac = working.owns_lock() && EVP_MAC_init(working_, nullptr, 0, nullptr) == 1
                         ? working_
                         : EVP_MAC_CTX_dup(keyed_);
  bool ok =
      mac != nullptr && EVP_MAC_update(mac, reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size()) == 1;
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  ok = ok && EVP_MAC_final(mac, out, &out_len, sizeof out) == 1;
  if (mac != working_) EVP_MAC_CTX_free(mac);
  if (!ok) throw std::runtime_error("twilio signature: OpenSSL HMAC-SHA1 failed");
  return base64(out, out_len);
}

bool RequestSigner::matches(std::string_view url, const form::Fields& params,
                            std::string_view signature) const {
  if (signature.empty()) return false;
  if (equal_constant_time(sign(url, params), signature)) return true;
  auto other = alternate_url(url);
  return other && equal_constant_time(sign(*other, params), signature);
}

std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form::Fields& params) {
  return RequestSigner(auth_token).sign(url, params);
}

bool signature_matches(std::string_view auth_token, std::string_view url,
                       const form::Fields& params, std::string_view signature) {
  return RequestSigner(auth_token).matches(url, params, signature);
}

}  // namespace omnigate::twilio
