// One-use, short-lived tickets for opening the event stream from a browser, which cannot set
// Authorization on a WebSocket handshake: POST /api/v1/stream/ticket (with the bearer token)
// answers a ticket, GET /api/v1/stream?ticket=... redeems it. A ticket in a URL may end up in a
// proxy's log, so it is worthless after one use or kTicketLifetimeMs, and is never the token.
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
  // nullopt when kMaxOutstandingTickets unexpired tickets are waiting.
  std::optional<Issued> issue(const store::User& user, store::UnixMs now);
  // The user the ticket was issued to, once; nullopt for unknown, used or expired tickets.
  std::optional<store::User> redeem(const std::string& ticket, store::UnixMs now);

 private:
  struct Pending {
    store::User user;
    store::UnixMs expires_at = 0;
  };
  std::mutex mu_;
  std::map<std::string, Pending> pending_;
};

}  // namespace omnigate::api
