// The signature against values computed elsewhere: RFC 4231's HMAC-SHA256 test case 2, and a
// header computed with Python's hmac module (the verification snippet of docs/api.md):
//   hmac.new(b"whsec_test_secret_0123456789", b'1763880000.{"id":1,"type":"message.created"}',
//            hashlib.sha256).hexdigest()
#include "webhooks/signature.hpp"

#include <catch2/catch.hpp>

using omnigate::webhooks::hmac_sha256_hex;
using omnigate::webhooks::signature_header;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the signature header signs \"<t>.<body>\" and names t and v1") {
  CHECK(signature_header("whsec_test_secret_0123456789", 1763880000,
                         R"({"id":1,"type":"message.created"})") ==
        "t=1763880000,v1=3793c61d6c20b2f42908652d5705d744a7caf1311886277a5e9a4c4576933242");
}

TEST_CASE("the timestamp and the body are both inside the MAC") {
  const auto base = signature_header("whsec_test_secret_0123456789", 1763880000, "{}");
  const auto v1 = [](const std::string& header) { return header.substr(header.find("v1=")); };
  CHECK(v1(signature_header("whsec_test_secret_0123456789", 1763880001, "{}")) != v1(base));
  CHECK(v1(signature_header("whsec_test_secret_0123456789", 1763880000, "{ }")) != v1(base));
  CHECK(v1(signature_header("whsec_test_secret_012345678X", 1763880000, "{}")) != v1(base));
}
