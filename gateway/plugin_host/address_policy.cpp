#include "plugin_host/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace omnigate::plugin_host {
namespace {

struct Ipv4Range {
  uint32_t network;
  int prefix;
};

constexpr uint32_t ip4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

constexpr std::array<Ipv4Range, 10> restricted_ipv4{{
    {ip4(0, 0, 0, 0), 8},       // "this network", incl. 0.0.0.0 (connects to the local host)
    {ip4(10, 0, 0, 0), 8},      // RFC 1918
    {ip4(100, 64, 0, 0), 10},   // carrier-grade NAT (RFC 6598)
    {ip4(127, 0, 0, 0), 8},     // loopback
    {ip4(169, 254, 0, 0), 16},  // link-local, incl. the 169.254.169.254 metadata service
    {ip4(172, 16, 0, 0), 12},   // RFC 1918
    {ip4(192, 0, 0, 0), 24},    // IETF protocol assignments
    {ip4(192, 168, 0, 0), 16},  // RFC 1918
    {ip4(198, 18, 0, 0), 15},   // benchmarking networks, used inside data centres
    {ip4(224, 0, 0, 0), 3},     // multicast 224/4 and reserved 240/4 (incl. broadcast)
}};

bool restricted_v4(uint32_t host_order) {
  for (const auto& r : restricted_ipv4) {
    const uint32_t mask = r.prefix == 0 ? 0 : ~uint32_t(0) << (32 - r.prefix);
    if ((host_order & mask) == (r.network & mask)) return true;
  }
  return false;
}

uint32_t v4_at(const uint8_t* bytes) {
  return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) |
         uint32_t(bytes[3]);
}

bool restricted_v6(const uint8_t* a) {
  static constexpr uint8_t zero[16] = {};
  static constexpr uint8_t loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t nat64_prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, zero, 16) == 0 || std::memcmp(a, loopback, 16) == 0) return true;
  if (std::memcmp(a, mapped_prefix, 12) == 0 || std::memcmp(a, nat64_prefix, 12) == 0) {
    return restricted_v4(v4_at(a + 12));
  }
  // IPv4-compatible ::a.b.c.d (deprecated, but some stacks still route it to IPv4).
  if (std::memcmp(a, zero, 12) == 0) return restricted_v4(v4_at(a + 12));
  if ((a[0] & 0xfe) == 0xfc) return true;                  // unique-local fc00::/7
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;  // link-local fe80::/10
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return true;  // site-local fec0::/10 (deprecated)
  if (a[0] == 0xff) return true;                           // multicast
  return false;
}

}  // namespace

bool is_restricted_address(const sockaddr* address) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    return restricted_v4(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    return restricted_v6(in6.sin6_addr.s6_addr);
  }
  return true;
}

std::string address_text(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address != nullptr && address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, buf, sizeof buf);
  } else if (address != nullptr && address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof buf);
  } else {
    return "(unsupported address family)";
  }
  return buf;
}

}  // namespace omnigate::plugin_host
