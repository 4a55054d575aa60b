#include "api/supervisor_stream.hpp"

#include "api/json_response.hpp"
#include "api/live_filter.hpp"
#include "api/role_guard.hpp"
#include "api/stream_tickets.hpp"
#include "api/supervisor_view.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace omnigate::api {

using store::Role;

namespace {

// Who the credential with this digest stands for now: none once revoked or expired.
std::optional<store::User> standing_user(store::Store& store, const std::string& digest) {
  auto caller = caller_by_digest(store, digest);
  if (!caller) return std::nullopt;
  return std::move(caller->user);
}

bool same_user(const store::User& a, const store::User& b) {
  return a.name == b.name && a.roles == b.roles && a.agent_id == b.agent_id;
}

// Why credentials that stood for `was` no longer do, given what the store says they stand for
// now (`now`); nullopt while they still stand for the same user, role and agent profile. The
// reason is a WebSocket close reason: fixed and short (at most 123 bytes).
struct Refusal {
  int close_code;
  const char* reason;
};
std::optional<Refusal> why_not_standing(const store::User& was,
                                        const std::optional<store::User>& now) {
  if (!now)
    return Refusal{kStreamClosedRevoked, "revoked: the user's token no longer authenticates"};
  if (!same_user(was, *now))
    return Refusal{kStreamClosedRoleChanged, "role changed: open the stream again"};
  return std::nullopt;
}

}  // namespace

struct SupervisorStream::Impl : std::enable_shared_from_this<SupervisorStream::Impl> {
  // An open stream and the credentials it was opened with.
  struct OpenStream {
    std::weak_ptr<http::WsConnection> conn;
    StreamTickets::Holder holder;
  };

  store::Store& store;
  dispatch::RoutingDispatcher& dispatcher;
  std::shared_ptr<LiveEvents> live;
  std::shared_ptr<Strand> heartbeat_strand;  // heartbeats and the checks of open streams
  std::chrono::milliseconds heartbeat_interval;
  StreamTickets tickets;

  std::mutex streams_mu;
  std::map<std::uint64_t, OpenStream> streams;  // by connection id
  // Counts user_changed() calls: a stream opened while one ran is checked again.
  std::atomic<std::uint64_t> user_changes{0};

  Impl(store::Store& s, dispatch::RoutingDispatcher& d, std::shared_ptr<LiveEvents> l, Executor& e,
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
      // Users removed or changed by another process (omnigate users remove) are noticed here.
      self->check_streams({});
      self->schedule_heartbeat();
    });
  }

  // Closes the open streams (of user `only`; all when empty) whose token no longer stands for
  // the user, role and agent profile they were opened with.
  void check_streams(const std::string& only) {
    std::vector<std::pair<std::uint64_t, OpenStream>> to_check;
    {
      std::lock_guard lock(streams_mu);
      for (const auto& [id, s] : streams)
        if (only.empty() || s.holder.user.name == only) to_check.emplace_back(id, s);
    }
    for (const auto& [id, s] : to_check) {
      std::optional<Refusal> refusal;
      try {
        refusal = why_not_standing(s.holder.user, standing_user(store, s.holder.token_sha256));
      } catch (const std::exception&) {
        continue;  // the store did not answer: keep the stream, the next check asks again
      }
      if (!refusal) continue;
      {
        std::lock_guard lock(streams_mu);
        streams.erase(id);
      }
      if (auto conn = s.conn.lock()) conn->close(refusal->close_code, refusal->reason);
    }
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
    const auto changes_before = user_changes.load();
    std::optional<StreamTickets::Holder> holder;
    if (auto ticket = req.query_param("ticket")) {
      holder = tickets.redeem(*ticket, now_ms());
      if (!holder) return unauthorized("the stream ticket is unknown, used or expired");
      // The ticket stands for the user as they were when it was issued.
      if (const auto refusal =
              why_not_standing(holder->user, standing_user(store, holder->token_sha256)))
        return unauthorized("the stream ticket of user " + holder->user.name +
                            " is void since it was issued (" + refusal->reason + ")");
    } else if (auto caller = authenticate(store, req)) {
      holder = StreamTickets::Holder{caller->user, caller->token_sha256};
    } else {
      return unauthorized(
          "a valid Authorization: Bearer <token> or ?ticket= (POST /api/v1/stream/ticket) is "
          "required");
    }
    const store::User& user = holder->user;
    if (!user.has_role(Role::supervisor) && !user.has_role(Role::admin) &&
        !user.has_role(Role::agent))
      return error_response(403, "forbidden", "this needs the role supervisor, admin or agent");
    auto filter = parse_live_filter(req);
    if (!filter.value) return body_error(filter.error);
    if (user.limited_to_own_work()) {
      if (!user.agent_id) return error_response(403, "forbidden", "you have no agent profile");
      filter.value->agent = *user.agent_id;
    }
    {
      std::lock_guard lock(streams_mu);
      streams[conn->id()] = {conn, *holder};
    }
    // A user change that ran its check before this stream was listed: check it now.
    if (user_changes.load() != changes_before) user_changed(user.name, [] {});
    auto agents = std::make_shared<std::vector<store::Agent>>(store.list_agents());
    dispatcher.live_view(
        [live = live, conn, filter = std::move(*filter.value), agents](dispatch::LiveView view) {
          live->subscribe(conn, filter, [&view, &agents](const LiveFilter& f, std::uint64_t seq) {
            return snapshot_message(view, *agents, f, seq);
          });
        });
    return true;
  }

  void closed(std::uint64_t conn_id) {
    live->unsubscribe(conn_id);
    std::lock_guard lock(streams_mu);
    streams.erase(conn_id);
  }

  void user_changed(const std::string& name, std::function<void()> then) {
    user_changes.fetch_add(1);
    heartbeat_strand->post([weak = weak_from_this(), name, then = std::move(then)] {
      if (auto self = weak.lock()) self->check_streams(name);
      then();
    });
  }

  void issue_ticket(const http::Request&, const Caller& c, http::Reply reply) {
    const auto issued = tickets.issue({c.user, c.token_sha256}, now_ms());
    if (!issued)
      return reply(error_response(429, "too_many_tickets",
                                  "too many unused stream tickets; use or let them expire"));
    reply(json_response(201, {{"ticket", issued->ticket},
                              {"expires_at", issued->expires_at},
                              {"url", "/api/v1/stream?ticket=" + issued->ticket}}));
  }
};

SupervisorStream::SupervisorStream(store::Store& store, dispatch::RoutingDispatcher& dispatcher,
                                   std::shared_ptr<LiveEvents> live, Executor& executor,
                                   std::chrono::milliseconds heartbeat_interval)
    : impl_(std::make_shared<Impl>(store, dispatcher, std::move(live), executor,
                                   heartbeat_interval)) {
  impl_->heartbeat_strand->post([weak = std::weak_ptr<Impl>(impl_)] {
    if (auto self = weak.lock()) self->schedule_heartbeat();
  });
}

SupervisorStream::~SupervisorStream() = default;

void SupervisorStream::user_changed(const std::string& name, std::function<void()> then) {
  impl_->user_changed(name, std::move(then));
}

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
    if (auto self = weak.lock()) self->closed(conn_id);
  };
  // The upgrade is authorized in open(): a stream ticket or a bearer token of these roles.
  auto rule = role_rule({Role::supervisor, Role::admin, Role::agent});
  rule.kind = http::AccessRule::Kind::ticket;
  router.add_ws("/api/v1/stream", std::move(rule), std::move(h));
  router.add("POST", "/api/v1/stream/ticket",
             guarded(weak, {Role::supervisor, Role::admin, Role::agent},
                     [weak](const http::Request& req, const Caller& c, http::Reply reply) {
                       if (auto self = weak.lock()) self->issue_ticket(req, c, std::move(reply));
                     }));
}

}  // namespace omnigate::api
