#include "visitor_connections.hpp"

#include <algorithm>

namespace omnigate::webchat {

int VisitorConnections::open(std::uint64_t conn, const std::string& address, std::int64_t now_ms) {
  conns_[conn] = Connection{address, "", now_ms, burst_, now_ms};
  return ++per_address_[address];
}

std::string VisitorConnections::close(std::uint64_t conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return {};
  std::string session = std::move(it->second.session);
  if (auto a = per_address_.find(it->second.address); a != per_address_.end() && --a->second <= 0)
    per_address_.erase(a);
  conns_.erase(it);
  if (!session.empty()) {
    auto s = sessions_.find(session);
    if (s != sessions_.end()) {
      s->second.erase(conn);
      if (s->second.empty()) sessions_.erase(s);
    }
  }
  return session;
}

void VisitorConnections::join(std::uint64_t conn, const std::string& session) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  it->second.session = session;
  sessions_[session].insert(conn);
}

const std::string& VisitorConnections::session_of(std::uint64_t conn) const {
  static const std::string none;
  auto it = conns_.find(conn);
  return it == conns_.end() ? none : it->second.session;
}

const std::set<std::uint64_t>& VisitorConnections::of_session(const std::string& session) const {
  static const std::set<std::uint64_t> none;
  auto it = sessions_.find(session);
  return it == sessions_.end() ? none : it->second;
}

bool VisitorConnections::take(std::uint64_t conn, std::int64_t now_ms) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return false;
  auto& c = it->second;
  c.tokens =
      std::min(burst_, c.tokens + rate_ * static_cast<double>(now_ms - c.refilled_ms) / 1000.0);
  c.refilled_ms = now_ms;
  if (c.tokens < 1) return false;
  c.tokens -= 1;
  return true;
}

std::vector<std::uint64_t> VisitorConnections::silent_since(std::int64_t cutoff_ms) const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, c] : conns_)
    if (c.session.empty() && c.opened_ms < cutoff_ms) out.push_back(id);
  return out;
}

}  // namespace omnigate::webchat
