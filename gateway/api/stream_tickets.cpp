#include "api/stream_tickets.hpp"

#include "api/access_token.hpp"

namespace omnigate::api {

std::optional<StreamTickets::Issued> StreamTickets::issue(Holder holder, store::UnixMs now) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= kMaxOutstandingTickets)
    std::erase_if(pending_, [now](const auto& p) { return p.second.expires_at <= now; });
  if (pending_.size() >= kMaxOutstandingTickets) return std::nullopt;
  Issued issued{generate_access_token(), now + kTicketLifetimeMs};
  pending_[issued.ticket] = {std::move(holder), issued.expires_at};
  return issued;
}

std::optional<StreamTickets::Holder> StreamTickets::redeem(const std::string& ticket,
                                                           store::UnixMs now) {
  std::lock_guard lock(mu_);
  const auto it = pending_.find(ticket);
  if (it == pending_.end()) return std::nullopt;
  auto pending = std::move(it->second);
  pending_.erase(it);
  if (pending.expires_at <= now) return std::nullopt;
  return std::move(pending.holder);
}

}  // namespace omnigate::api
