// VisitorTokens: a token names its session only when this instance's secret signed it, and an
// identity is verified only by the HMAC of exactly that identifier under identity_secret.
#include "visitor_token.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

using namespace omnigate::webchat;

namespace {

const std::string kSecret = "token-secret-0123456789abcdef";
const std::string kIdentitySecret = "identity-secret-0123456789abcdef";

bool lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The same position changed to another hex digit.
std::string flipped(std::string token, std::size_t at) {
  token[at] = token[at] == '0' ? '1' : '0';
  return token;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

}  // namespace

TEST_CASE("HMAC-SHA256 as RFC 4231 test case 2 has it") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("random_hex gives that many random bytes as lower-case hex") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string r = random_hex(16);
    CHECK(r.size() == 32);
    CHECK(lower_hex(r));
    seen.insert(r);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("an issued token names its session, and every token is another session") {
  const VisitorTokens tokens(kSecret, kIdentitySecret);
  std::set<std::string> sessions;
  for (int i = 0; i < 50; ++i) {
    const std::string token = tokens.issue();
    REQUIRE(token.size() == 65);
    CHECK(token[32] == '.');
    const auto session = tokens.session_of(token);
    REQUIRE(session);
    CHECK(*session == token.substr(0, 32));
    CHECK(lower_hex(*session));
    sessions.insert(*session);
  }
  CHECK(sessions.size() == 50);
}

TEST_CASE("a tampered, cut, padded or foreign token names no session") {
  const VisitorTokens tokens(kSecret, kIdentitySecret);
  const std::string token = tokens.issue();
  REQUIRE(tokens.session_of(token));

  for (std::size_t at : {0u, 31u, 33u, 64u}) CHECK_FALSE(tokens.session_of(flipped(token, at)));
  CHECK_FALSE(tokens.session_of(token.substr(0, 64)));
  CHECK_FALSE(tokens.session_of(token + "0"));
  CHECK_FALSE(tokens.session_of(token.substr(1) + "0"));
  CHECK_FALSE(tokens.session_of(""));
  CHECK_FALSE(tokens.session_of(token.substr(0, 32)));
  std::string no_dot = token;
  no_dot[32] = '0';
  CHECK_FALSE(tokens.session_of(no_dot));
  // Only the exact spelling this instance issued: hex case is part of the MAC's input.
  CHECK_FALSE(tokens.session_of(upper(token)));
  // The session id of another, with this MAC: the MAC covers the session id.
  const std::string other = tokens.issue();
  CHECK_FALSE(tokens.session_of(other.substr(0, 33) + token.substr(33)));

  // A token of an instance with another secret.
  const VisitorTokens elsewhere("another-secret-0123456789abcdef", kIdentitySecret);
  CHECK_FALSE(elsewhere.session_of(token));
  CHECK_FALSE(tokens.session_of(elsewhere.issue()));
}

TEST_CASE("an identity is verified by the HMAC of its identifier, in either hex case") {
  const VisitorTokens tokens(kSecret, kIdentitySecret);
  const std::string id = "kim@example.com";
  const std::string hash = hmac_sha256_hex(kIdentitySecret, id);
  CHECK(tokens.identity_verified(id, hash));
  CHECK(tokens.identity_verified(id, upper(hash)));

  CHECK_FALSE(tokens.identity_verified("kim@example.org", hash));
  CHECK_FALSE(tokens.identity_verified("Kim@example.com", hash));
  CHECK_FALSE(tokens.identity_verified(id, flipped(hash, 10)));
  CHECK_FALSE(tokens.identity_verified(id, hash.substr(0, 63)));
  CHECK_FALSE(tokens.identity_verified(id, hash + "0"));
  CHECK_FALSE(tokens.identity_verified(id, ""));
  CHECK_FALSE(tokens.identity_verified(id, hmac_sha256_hex(kSecret, id)));  // the token secret
  CHECK_FALSE(tokens.identity_verified(id, hmac_sha256_hex("", id)));
}

TEST_CASE("without an identity_secret no identity is ever verified") {
  const VisitorTokens tokens(kSecret, "");
  const std::string id = "kim@example.com";
  CHECK_FALSE(tokens.identity_verified(id, hmac_sha256_hex("", id)));
  CHECK_FALSE(tokens.identity_verified(id, hmac_sha256_hex(kIdentitySecret, id)));
  CHECK_FALSE(tokens.identity_verified(id, hmac_sha256_hex(kSecret, id)));
  // Tokens still work: the two secrets are independent.
  CHECK(tokens.session_of(tokens.issue()));
}
