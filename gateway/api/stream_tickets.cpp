#include "api/stream_tickets.hpp"

#include "api/access_token.hpp"

namespace omnigate::api {

std::optional<StreamTickets::Issued> StreamTickets::issue(const store::User& user,
                                                          store::UnixMs now) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= kMaxOutstandingTickets)
    std::erase_if(pending_, [now](const auto& p) { return p.second.expires_at <= now; });
  if (pending_.size() >= kMaxOutstandingTickets) return std::nullopt;
  Issued issued{generate_access_token(), now + kTicketLifetimeMs};
  pending_[issued.ticket] = {user, issued.expires_at};
  return issued;
}

std::optional<store::User> StreamTickets::redeem(const std::string& ticket, store::UnixMs now) {
  std::lock_guard lock(mu_);
  const auto it = pending_.find(ticket);
  if (it == pending_.end()) return std::nullopt;
  auto pending = std::move(it->second);
  pending_.erase(it);
  if (pending.expires_at <= now) return std::nullopt;
  return std::move(pending.user);
}

}  // namespace omnigate::api
