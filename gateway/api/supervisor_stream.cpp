#include "api/supervisor_stream.hpp"

#include "api/json_response.hpp"
#include "api/live_filter.hpp"
#include "api/role_guard.hpp"
#include "api/stream_tickets.hpp"
#include "api/supervisor_view.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

using store::Role;

struct SupervisorStream::Impl : std::enable_shared_from_this<SupervisorStream::Impl> {
  store::Store& store;
  RoutingDispatcher& dispatcher;
  std::shared_ptr<LiveEvents> live;
  std::shared_ptr<Strand> heartbeat_strand;
  std::chrono::milliseconds heartbeat_interval;
  StreamTickets tickets;

  Impl(store::Store& s, RoutingDispatcher& d, std::shared_ptr<LiveEvents> l, Executor& e,
       std::chrono::milliseconds every)
      : store(s),
        dispatcher(d),
        live(std::move(l)),
        heartbeat_strand(e.make_strand()),
        heartbeat_interval(every) {}

  void schedule_heartbeat() {
    std::weak_ptr<Impl> weak = shared_from_this();
    // A pending beat holds no reference: once the stream object is gone the chain ends.
    heartbeat_strand->post_after(heartbeat_interval, [weak] {
      auto self = weak.lock();
      if (!self) return;
      self->live->heartbeat(now_ms());
      self->schedule_heartbeat();
    });
  }

  static http::Response unauthorized(std::string message) {
    auto r = error_response(401, "unauthorized", std::move(message));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }

  // The handshake: who is it (ticket or bearer token), may they, what do they want. Then the
  // snapshot and the subscription are made on the dispatcher's strand, so no event falls
  // between them.
  http::WsOpen open(const http::Request& req, std::shared_ptr<http::WsConnection> conn) {
    std::optional<store::User> user;
    if (auto ticket = req.query_param("ticket")) {
      user = tickets.redeem(*ticket, now_ms());
      if (!user) return unauthorized("the stream ticket is unknown, used or expired");
    } else if (auto caller = authenticate(store, req)) {
      user = caller->user;
    } else {
      return unauthorized(
          "a valid Authorization: Bearer <token> or ?ticket= (POST /api/v1/stream/ticket) is "
          "required");
    }
    if (user->role == Role::qa)
      return error_response(403, "forbidden", "this needs the role supervisor, admin or agent");
    auto filter = parse_live_filter(req);
    if (!filter.value) return body_error(filter.error);
    if (user->role == Role::agent) {
      if (!user->agent_id) return error_response(403, "forbidden", "you have no agent profile");
      filter.value->agent = *user->agent_id;
    }
    auto agents = std::make_shared<std::vector<store::Agent>>(store.list_agents());
    dispatcher.live_view(
        [live = live, conn, filter = std::move(*filter.value), agents](LiveView view) {
          live->subscribe(conn, filter, [&view, &agents](const LiveFilter& f, std::uint64_t seq) {
            return snapshot_message(view, *agents, f, seq);
          });
        });
    return true;
  }

  void issue_ticket(const http::Request&, const Caller& c, http::Reply reply) {
    const auto issued = tickets.issue(c.user, now_ms());
    if (!issued)
      return reply(error_response(429, "too_many_tickets",
                                  "too many unused stream tickets; use or let them expire"));
    reply(json_response(201, {{"ticket", issued->ticket},
                              {"expires_at", issued->expires_at},
                              {"url", "/api/v1/stream?ticket=" + issued->ticket}}));
  }
};

SupervisorStream::SupervisorStream(store::Store& store, RoutingDispatcher& dispatcher,
                                   std::shared_ptr<LiveEvents> live, Executor& executor,
                                   std::chrono::milliseconds heartbeat_interval)
    : impl_(std::make_shared<Impl>(store, dispatcher, std::move(live), executor,
                                   heartbeat_interval)) {
  impl_->heartbeat_strand->post([weak = std::weak_ptr<Impl>(impl_)] {
    if (auto self = weak.lock()) self->schedule_heartbeat();
  });
}

SupervisorStream::~SupervisorStream() = default;

void SupervisorStream::register_routes(http::Router& router) {
  std::weak_ptr<Impl> weak = impl_;
  http::WsHandler h;
  h.on_open = [weak](const http::Request& req,
                     std::shared_ptr<http::WsConnection> conn) -> http::WsOpen {
    auto self = weak.lock();
    if (!self) return shutting_down_response();
    return self->open(req, std::move(conn));
  };
  // The stream is one-way: what a client sends is read (so pings and closes work) and ignored.
  h.on_message = [](std::uint64_t, std::string, bool) {};
  h.on_close = [weak](std::uint64_t conn_id) {
    if (auto self = weak.lock()) self->live->unsubscribe(conn_id);
  };
  router.add_ws("/api/v1/stream", std::move(h));
  router.add("POST", "/api/v1/stream/ticket",
             guarded(weak, {Role::supervisor, Role::admin, Role::agent},
                     [weak](const http::Request& req, const Caller& c, http::Reply reply) {
                       if (auto self = weak.lock()) self->issue_ticket(req, c, std::move(reply));
                     }));
}

}  // namespace omnigate::api
