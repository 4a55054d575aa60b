// The open WebSocket connections of one instance: which session each belongs to (a session may
// be open in several tabs), how many each client address holds, and each connection's message
// budget (a token bucket: `rate` frames a second sustained, `burst` at once).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace omnigate::webchat {

class VisitorConnections {
 public:
  VisitorConnections(double rate, double burst) : rate_(rate), burst_(burst) {}

  // A new connection from `address`; returns how many that address now holds.
  int open(std::uint64_t conn, const std::string& address, std::int64_t now_ms);
  // Forgets it; returns its session ("" if it never said hello).
  std::string close(std::uint64_t conn);

  // After hello: the connection belongs to `session`.
  void join(std::uint64_t conn, const std::string& session);
  // "" while the connection has not said hello (or is unknown).
  const std::string& session_of(std::uint64_t conn) const;
  const std::set<std::uint64_t>& of_session(const std::string& session) const;
  bool known(std::uint64_t conn) const { return conns_.count(conn) != 0; }

  // Takes one frame from the connection's budget; false when it is spent (a flood).
  bool take(std::uint64_t conn, std::int64_t now_ms);

  // Connections opened before `cutoff_ms` that still have not said hello.
  std::vector<std::uint64_t> silent_since(std::int64_t cutoff_ms) const;

  std::size_t size() const { return conns_.size(); }

 private:
  struct Connection {
    std::string address, session;
    std::int64_t opened_ms = 0;
    double tokens = 0;
    std::int64_t refilled_ms = 0;
  };
  const double rate_, burst_;
  std::map<std::uint64_t, Connection> conns_;
  std::map<std::string, std::set<std::uint64_t>> sessions_;
  std::map<std::string, int> per_address_;
};

}  // namespace omnigate::webchat
