#include <omnigate/common/twilio_signature.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace form = omnigate::form;
namespace twilio = omnigate::twilio;

namespace {

// Twilio's published example (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
const std::string kToken = "12345";
const std::string kUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const std::string kUrlWithPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
const form::Fields kParams{{"CallSid", "CA1234567890ABCDE"},
                           {"Caller", "+14158675309"},
                           {"Digits", "1234"},
                           {"From", "+14158675309"},
                           {"To", "+18005551212"}};
const std::string kSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
const std::string kSignatureWithPort = "kvajT1Ptam85bY51eRf/AJRuM3w=";

// Calls check(variant) for every string that differs from `s` in exactly one byte.
template <class Check>
void for_each_single_byte_change(const std::string& s, Check check) {
  for (size_t i = 0; i < s.size(); ++i) {
    for (int b = 0; b < 256; ++b) {
      if (static_cast<char>(b) == s[i]) continue;
      std::string changed = s;
      changed[i] = static_cast<char>(b);
      check(changed);
    }
  }
}

}  // namespace

TEST_CASE("twilio signature: Twilio's published test vectors") {
  CHECK(twilio::compute_signature(kToken, kUrl, kParams) == kSignature);
  CHECK(twilio::compute_signature(kToken, kUrlWithPort, kParams) == kSignatureWithPort);
  CHECK(twilio::signature_matches(kToken, kUrl, kParams, kSignature));
  CHECK(twilio::signature_matches(kToken, kUrlWithPort, kParams, kSignatureWithPort));
}

TEST_CASE("twilio signature: parameter order in the body does not matter") {
  form::Fields reversed(kParams.rbegin(), kParams.rend());
  CHECK(twilio::signature_matches(kToken, kUrl, reversed, kSignature));
}

TEST_CASE("twilio signature: the URL with the default port added or removed is accepted") {
  // Twilio signs the URL it used; we know it without the port, it may have added :443.
  CHECK(twilio::signature_matches(kToken, kUrl, kParams, kSignatureWithPort));
  CHECK(twilio::signature_matches(kToken, kUrlWithPort, kParams, kSignature));
  const std::string http = "http://gw.example.com/channels/sms/sms";
  const std::string http80 = "http://gw.example.com:80/channels/sms/sms";
  CHECK(twilio::signature_matches(kToken, http, kParams,
                                  twilio::compute_signature(kToken, http80, kParams)));
  CHECK(twilio::signature_matches(kToken, http80, kParams,
                                  twilio::compute_signature(kToken, http, kParams)));
}

TEST_CASE("twilio signature: a URL with another port is accepted signed with or without it") {
  // twilio-python's RequestValidator and twilio-node's validateRequest both strip any port.
  const std::string url = "https://gw.example.com:8443/sms";
  CHECK(twilio::signature_matches(
      kToken, url, kParams,
      twilio::compute_signature(kToken, "https://gw.example.com/sms", kParams)));
  CHECK(twilio::signature_matches(kToken, url, kParams,
                                  twilio::compute_signature(kToken, url, kParams)));
  // A port is never invented: only the scheme's own default is tried on a URL without one.
  CHECK_FALSE(twilio::signature_matches(
      kToken, "https://gw.example.com/sms", kParams,
      twilio::compute_signature(kToken, "https://gw.example.com:80/sms", kParams)));
  CHECK_FALSE(twilio::signature_matches(
      kToken, "https://gw.example.com/sms", kParams,
      twilio::compute_signature(kToken, "https://gw.example.com:8443/sms", kParams)));
}

TEST_CASE("twilio signature: twilio-python's published vectors, repeated names and ports") {
  // tests/unit/test_request_validator.py in twilio-python.
  const form::Fields duplicate{
      {"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}};
  CHECK(twilio::compute_signature(kToken, kUrl, duplicate) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  const std::string http = "http://mycompany.com/myapp.php?foo=1&bar=2";
  CHECK(twilio::signature_matches(kToken, http, kParams, "0ZXoZLH/DfblKGATFgpif+LLRf4="));
  const std::string http1234 = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
  CHECK(twilio::signature_matches(kToken, http1234, kParams, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
  CHECK(twilio::signature_matches(kToken, "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
                                  kParams, kSignature));
}

TEST_CASE("twilio signature: a value repeated under one name is signed once, as Twilio does") {
  // Signatures computed with the official SDK, twilio-node 6.3.1 getExpectedTwilioSignature
  // (token "12345", kUrl); it signs Array.from(new Set(values)).sort() for each name.
  const form::Fields repeated{{"Tag", "same"}, {"Body", "hi"}, {"Tag", "same"}};
  const form::Fields once{{"Tag", "same"}, {"Body", "hi"}};
  CHECK(twilio::compute_signature(kToken, kUrl, repeated) == "s2x9XBT+5d3tfw9TZkfiDuitGTI=");
  CHECK(twilio::compute_signature(kToken, kUrl, once) == "s2x9XBT+5d3tfw9TZkfiDuitGTI=");
  CHECK(twilio::signature_matches(kToken, kUrl, repeated, "s2x9XBT+5d3tfw9TZkfiDuitGTI="));
  const form::Fields mixed{
      {"MediaUrl", "b"}, {"MediaUrl", "a"}, {"MediaUrl", "b"}, {"From", "+14155550100"}};
  CHECK(twilio::compute_signature(kToken, kUrl, mixed) == "z69pNG8+KGPdP4Y/3aF9Xu5Ebj4=");
  const form::Fields utf8{{"Body", "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"},
                          {"From", "+14155550100"}};
  CHECK(twilio::compute_signature(kToken, kUrl, utf8) == "lfwQRqRWYdmr4lM7cW5h6AX2q54=");
}

TEST_CASE("twilio signature: an empty or missing signature never matches") {
  CHECK_FALSE(twilio::signature_matches(kToken, kUrl, kParams, ""));
  CHECK_FALSE(twilio::signature_matches(kToken, kUrl, kParams, kSignature.substr(0, 27)));
  CHECK_FALSE(twilio::signature_matches(kToken, kUrl, kParams, kSignature + "A"));
}

TEST_CASE("twilio signature: every single-byte change of the URL is rejected") {
  size_t accepted = 0;
  for_each_single_byte_change(kUrl, [&](const std::string& url) {
    if (twilio::signature_matches(kToken, url, kParams, kSignature)) ++accepted;
  });
  CHECK(accepted == 0);
}

TEST_CASE("twilio signature: every single-byte change of a parameter name or value is rejected") {
  size_t accepted = 0, tried = 0;
  for (size_t p = 0; p < kParams.size(); ++p) {
    for (int part = 0; part < 2; ++part) {
      const std::string& original = part == 0 ? kParams[p].first : kParams[p].second;
      for_each_single_byte_change(original, [&](const std::string& changed) {
        form::Fields params = kParams;
        (part == 0 ? params[p].first : params[p].second) = changed;
        ++tried;
        if (twilio::signature_matches(kToken, kUrl, params, kSignature)) ++accepted;
      });
    }
  }
  CHECK(tried > 10000);
  CHECK(accepted == 0);
}

TEST_CASE("twilio signature: every single-byte change of the signature or token is rejected") {
  size_t accepted = 0;
  for_each_single_byte_change(kSignature, [&](const std::string& signature) {
    if (twilio::signature_matches(kToken, kUrl, kParams, signature)) ++accepted;
  });
  for_each_single_byte_change(kToken, [&](const std::string& token) {
    if (twilio::signature_matches(token, kUrl, kParams, kSignature)) ++accepted;
  });
  CHECK(accepted == 0);
}

TEST_CASE("twilio signature: a dropped or added parameter is rejected") {
  form::Fields fewer(kParams.begin(), kParams.end() - 1);
  CHECK_FALSE(twilio::signature_matches(kToken, kUrl, fewer, kSignature));
  form::Fields more = kParams;
  more.emplace_back("Extra", "");
  CHECK_FALSE(twilio::signature_matches(kToken, kUrl, more, kSignature));
}

TEST_CASE("twilio signature: one RequestSigner signs and verifies request after request") {
  twilio::RequestSigner signer(kToken);
  // The prepared key must survive each use: the second round gives the same answers.
  for (int round = 0; round < 2; ++round) {
    CHECK(signer.sign(kUrl, kParams) == kSignature);
    CHECK(signer.sign(kUrlWithPort, kParams) == kSignatureWithPort);
    CHECK(signer.matches(kUrl, kParams, kSignature));
    CHECK(signer.matches(kUrl, kParams, kSignatureWithPort));
    CHECK_FALSE(signer.matches(kUrl, kParams, ""));
    CHECK_FALSE(signer.matches(kUrl, kParams, twilio::compute_signature("other", kUrl, kParams)));
  }
  const twilio::RequestSigner moved(std::move(signer));
  CHECK(moved.sign(kUrl, kParams) == kSignature);
}

TEST_CASE("twilio signature: one RequestSigner used from several threads at once") {
  // Threads that find the signer's working context busy sign with a copy of the keyed one;
  // either way every signature must be Twilio's.
  const twilio::RequestSigner signer(kToken);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (signer.sign(kUrl, kParams) != kSignature) ++wrong;
        if (!signer.matches(kUrl, kParams, kSignatureWithPort)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
}

TEST_CASE("twilio signature: the HMAC agrees with OpenSSL's for keys up to and past the block") {
  // OpenSSL's one-shot HMAC is the reference for the signer's reused MAC context, with keys
  // shorter than, as long as and longer than SHA-1's 64-byte block (a longer one is hashed).
  const std::string url = "https://gw.example.com/channels/sms/sms";
  const form::Fields params{{"Body", "caf\xc3\xa9 + 100%"}, {"From", "+14155550100"}, {"A", ""}};
  std::string message = url;
  for (const auto* name : {"A", "Body", "From"})
    message.append(name).append(*form::find(params, name));
  for (std::size_t key_size : {0, 1, 5, 32, 63, 64, 65, 100, 1000}) {
    std::string key;
    for (std::size_t i = 0; i < key_size; ++i) key.push_back(static_cast<char>(i * 7 + 1));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    static const unsigned char kNoKey = 0;
    REQUIRE(
        HMAC(EVP_sha1(), key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data()),
             static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
             message.size(), mac, &mac_size) != nullptr);
    std::string expected(4 * ((mac_size + 2) / 3), '\0');
    expected.resize(static_cast<std::size_t>(EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(expected.data()), mac, static_cast<int>(mac_size))));
    INFO("key of " << key_size << " bytes");
    CHECK(twilio::RequestSigner(key).sign(url, params) == expected);
  }
}
