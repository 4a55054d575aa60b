// Publish/subscribe between the routing dispatcher (through dispatch::LivePublisher, which this
// implements) and the supervisors' WebSocket stream (GET /api/v1/stream). Thread-safe. Every event
// gets the next sequence number and is serialised once; each subscriber receives the events its
// filter passes, in order.
//
// publish() never blocks: a message goes to the subscriber connection's bounded outgoing queue
// (config server.max_ws_queued_messages). A client that lets it overflow is closed by the server
// with 1008 "outgoing queue full"; its send() then fails and the subscriber is dropped here, so
// a slow client costs neither memory nor time on the routing strand.
#pragma once

#include "api/live_event.hpp"
#include "api/live_filter.hpp"
#include "dispatch/live_publisher.hpp"
#include "http/http_types.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace omnigate::api {

// Events a process may publish per millisecond of its run, on average, before its numbers reach
// those of a process started later; ms × 1000 stays below 2^53 (JSON numbers exact in browsers)
// until the year 2255.
inline constexpr std::uint64_t kSeqPerMs = 1000;
inline std::uint64_t seq_start_for(store::UnixMs process_start) {
  return static_cast<std::uint64_t>(process_start) * kSeqPerMs;
}

class LiveEvents : public dispatch::LivePublisher {
 public:
  // The first event gets `seq_before_first` + 1. The gateway starts each process at its start
  // time in ms × kSeqPerMs (seq_start_for()), so `seq` keeps growing across restarts without
  // being stored: a client that reconnects after a restart sees a larger `seq`, never an
  // earlier number again (while the wall clock does not go back).
  explicit LiveEvents(std::uint64_t seq_before_first = 0) : last_seq_(seq_before_first) {}

  // Renders a snapshot for one subscriber's filter; `seq` is the last event it reflects.
  using Snapshot = std::function<std::string(const LiveFilter&, std::uint64_t seq)>;

  // Sends `snapshot` first, then every later event `filter` passes. Call it where no event can
  // be published between taking the snapshot's data and this call (the dispatcher's strand).
  void subscribe(std::shared_ptr<http::WsConnection> conn, LiveFilter filter,
                 const Snapshot& snapshot);
  void unsubscribe(std::uint64_t connection_id);

  void publish(const dispatch::LiveEvent& event) override;
  // A fresh snapshot of `view` to every subscriber, each through its own filter.
  void resnapshot(const dispatch::LiveView& view, const std::vector<store::Agent>& agents) override;
  // {"type": "heartbeat", "at": ..., "last_seq": <last seq this subscriber received>}: keeps
  // idle proxies from closing the socket and lets a browser notice a dead connection.
  void heartbeat(store::UnixMs at);

  std::size_t subscriber_count() const override;

 private:
  struct Subscriber {
    std::shared_ptr<http::WsConnection> conn;
    LiveFilter filter;
    std::uint64_t last_seq = 0;  // of the last message it was sent (snapshot or event)
  };
  // Sends under mu_; a connection that refuses (closed, overflowed) is dropped.
  void send_or_drop(std::map<std::uint64_t, Subscriber>::iterator it, std::string text);

  mutable std::mutex mu_;
  std::uint64_t last_seq_ = 0;
  std::map<std::uint64_t, Subscriber> subscribers_;  // by connection id
};

}  // namespace omnigate::api
