// The SSRF rule of http_fetch: which network addresses a plugin may not connect to unless its
// instance is allowed to. Checked on the address a socket is about to connect to (after DNS),
// so a hostname that resolves — or re-resolves — to an internal address is refused too.
#pragma once

#include <sys/socket.h>

#include <string>

namespace omnigate::plugin_host {

// True for loopback (127/8, ::1), "this network" (0/8, ::), RFC 1918 private (10/8, 172.16/12,
// 192.168/16), CGNAT (100.64/10), link-local (169.254/16 — cloud metadata — and fe80::/10),
// unique-local (fc00::/7), multicast (224/4, ff00::/8) and reserved/broadcast (240/4). IPv4
// embedded in IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) is judged by its IPv4 address.
// Unknown address families are restricted.
bool is_restricted_address(const sockaddr* address);

// "a.b.c.d" / "x:y::z" for messages.
std::string address_text(const sockaddr* address);

}  // namespace omnigate::plugin_host
