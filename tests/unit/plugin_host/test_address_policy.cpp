// The SSRF address rule itself, address by address.
#include "plugin_host/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using omnigate::plugin_host::is_restricted_address;

namespace {

bool restricted(const std::string& text) {
  sockaddr_storage storage{};
  if (text.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    REQUIRE(inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, text.c_str(), &in->sin_addr) == 1);
  }
  return is_restricted_address(reinterpret_cast<const sockaddr*>(&storage));
}

}  // namespace

TEST_CASE("internal IPv4 ranges are restricted but their neighbours are not") {
  for (const char* a :
       {"0.0.0.0", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
        "127.8.9.10", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.0.1", "224.0.0.1",
        "239.255.255.250", "255.255.255.255"}) {
    INFO(a);
    CHECK(restricted(a));
  }
  for (const char* a :
       {"8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "172.15.255.255",
        "172.32.0.0", "192.167.255.255", "192.169.0.0", "203.0.113.10", "223.255.255.255"}) {
    INFO(a);
    CHECK_FALSE(restricted(a));
  }
}

TEST_CASE("internal IPv6 ranges and IPv4 hidden inside IPv6 are restricted") {
  for (const char* a :
       {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "64:ff9b::10.0.0.1", "::10.0.0.1"}) {
    INFO(a);
    CHECK(restricted(a));
  }
  for (const char* a :
       {"2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    INFO(a);
    CHECK_FALSE(restricted(a));
  }
}

TEST_CASE("a missing address or an unknown family is restricted") {
  CHECK(is_restricted_address(nullptr));
  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  CHECK(is_restricted_address(&unix_like));
}
