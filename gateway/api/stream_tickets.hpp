// One-use, short-lived tickets for opening the event stream from a browser, which cannot set
// Authorization on a WebSocket handshake: POST /api/v1/stream/ticket (with the bearer token)
// answers a ticket, GET /api/v1/stream?ticket=... redeems it. A ticket in a URL may end up in a
// proxy's log, so it is worthless after one use or kTicketLifetimeMs, and is never the token.
// A ticket remembers the digest of the token it was asked for with, so that the redeemer can
// check the token still stands for the same user and role (revocation, role change).
#pragma once

#include "store/model.hpp"

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace omnigate::api {

inline constexpr store::UnixMs kTicketLifetimeMs = 30 * 1000;
// Outstanding tickets at most (expired ones are pruned first): bounds memory against a client
// that asks for tickets and never uses them.
inline constexpr std::size_t kMaxOutstandingTickets = 10000;

class StreamTickets {
 public:
  struct Issued {
    std::string ticket;  // 64 hex characters
    store::UnixMs expires_at = 0;
  };
  // Who a ticket was issued to, and the SHA-256 of the token they authenticated with.
  struct Holder {
    store::User user;
    std::string token_sha256;
  };
  // nullopt when kMaxOutstandingTickets unexpired tickets are waiting.
  std::optional<Issued> issue(Holder holder, store::UnixMs now);
  // Whom the ticket was issued to, once; nullopt for unknown, used or expired tickets.
  std::optional<Holder> redeem(const std::string& ticket, store::UnixMs now);

 private:
  struct Pending {
    Holder holder;
    store::UnixMs expires_at = 0;
  };
  std::mutex mu_;
  std::map<std::string, Pending> pending_;
};

}  // namespace omnigate::api
