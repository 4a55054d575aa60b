#include "plugin_host/plugin_instance.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "http/router.hpp"
#include "isolation/input_in_flight.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/host_api.hpp"
#include "plugin_host/plugin_response.hpp"
#include "plugin_host/record_mapping.hpp"
#include "plugin_host/route_limits.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace omnigate::plugin_host {
namespace {

constexpr std::size_t max_kv_key_bytes = 256;
constexpr std::size_t max_kv_value_bytes = 64 * 1024;
constexpr std::size_t max_log_bytes = 8 * 1024;
constexpr uint32_t default_respond_timeout_ms = 10000;
// Methods a route registered with method "" answers (HEAD is served by GET routes).
constexpr std::string_view every_method[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

http::Response text_response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

http::Response retry_later(std::string why) {
  auto r = text_response(503, std::move(why));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// What the client gets when the handler returned without calling respond().
http::Response response_for_status(og_status status) {
  switch (status) {
    case OG_OK:
      return text_response(204, "");
    case OG_PERMANENT:
      return text_response(400, "request rejected by the channel plugin\n");
    case OG_RETRY:
      return retry_later("channel plugin busy; retry later\n");
    default:
      return text_response(500, "channel plugin error\n");
  }
}

SendOutcome outcome_for(og_status status, std::string provider_id, std::string code,
                        std::string text, int retry_after_ms) {
  SendOutcome o;
  o.provider_message_id = std::move(provider_id);
  o.error_code = std::move(code);
  o.error_text = std::move(text);
  o.retry_after_ms = std::max(0, retry_after_ms);
  switch (status) {
    case OG_OK:
      o.kind = SendOutcome::Kind::sent;
      break;
    // INTERNAL is an exception caught at the boundary: possibly transient, so retry (the outbox
    // gives up after max_attempts).
    case OG_RETRY:
    case OG_INTERNAL:
      o.kind = SendOutcome::Kind::retry;
      break;
    default:
      o.kind = SendOutcome::Kind::permanent;
      if (status != OG_PERMANENT && o.error_text.empty()) {
        o.error_text = "plugin returned status " + std::to_string(status);
      }
  }
  return o;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// "/a//b/" → "/a/b"; "" when the path is not a plain literal path a plugin may mount.
std::string canonical_route_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 512) return {};
  std::string out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    const auto end = std::min(path.find('/', pos), path.size());
    if (end > pos) {
      const std::string_view seg = path.substr(pos, end - pos);
      const bool plain = std::all_of(seg.begin(), seg.end(), [](char c) {
        return c > 0x20 && c < 0x7f && std::string_view("{}*?#%").find(c) == std::string_view::npos;
      });
      if (!plain || seg == "." || seg == "..") return {};
      out += '/';
      out += seg;
    }
    pos = end;
  }
  return out.empty() ? "/" : out;
}

LogLevel log_level_of(og_log_level level) {
  switch (level) {
    case OG_LOG_DEBUG:
      return LogLevel::debug;
    case OG_LOG_WARN:
      return LogLevel::warn;
    case OG_LOG_ERROR:
      return LogLevel::error;
    default:
      return LogLevel::info;
  }
}

// An og_http_request borrowing from an http::Request, with its header array.
struct BorrowedRequest {
  std::vector<og_header> headers;
  og_http_request request;

  BorrowedRequest(const http::Request& r, uint64_t id, std::string_view path_below_mount)
      : request(make_abi_struct<og_http_request>()) {
    for (const auto& [n, v] : r.headers) headers.push_back(abi_header(n, v));
    request.request_id = id;
    request.method = og_str_of(r.method);
    request.target = og_str_of(r.target);
    request.path = og_str_of(path_below_mount);
    request.query = og_str_of(r.query);
    request.headers = headers.empty() ? nullptr : headers.data();
    request.header_count = headers.size();
    request.body = og_str_of(r.body);
    request.remote_addr = og_str_of(r.remote_addr);
  }
};

og_host_info make_host_info(const std::string& instance, const std::string& mount_path,
                            const std::string& public_base_url) {
  auto info = make_abi_struct<og_host_info>();
  info.instance_name = og_str_of(instance);
  info.mount_path = og_str_of(mount_path);
  info.public_base_url = og_str_of(public_base_url);
  info.gateway_version = og_str_of(std::string_view(OG_GATEWAY_VERSION));
  return info;
}

}  // namespace

PluginInstance::PluginInstance(HostServices& services, config::PluginInstanceConfig config,
                               std::shared_ptr<LoadedPlugin> plugin)
    : services_(services),
      config_(std::move(config)),
      plugin_(std::move(plugin)),
      api_(plugin_->api()),
      channel_kind_(api_.channel_kind),
      instance_labels_{{"instance", config_.instance}, {"channel", channel_kind_}},
      ctx_{this},
      strand_(services_.executor.make_strand()),
      kv_(services_.store, config_.instance,
          [this](std::function<void()> fn) {
            if (auto self = weak_from_this().lock()) self->on_strand(std::move(fn));
          }),
      plugin_metrics_(services_.metrics, config_.instance, api_.name),
      mount_path_("/channels/" + config_.instance),
      public_base_url_(config_.public_base_url.empty() ? services_.options.public_base_url
                                                       : config_.public_base_url),
      host_info_(make_host_info(config_.instance, mount_path_, public_base_url_)),
      blobs_(services_.options.attachments_dir, config_.max_blob_bytes) {}

PluginInstance::CallGuard::CallGuard(PluginInstance& instance)
    : instance_(instance), lock_(instance.call_mu_) {
  instance_.caller_ = std::this_thread::get_id();
}

PluginInstance::CallGuard::~CallGuard() {
  instance_.caller_ = std::thread::id();
}

bool PluginInstance::accepts_plugin_calls() const {
  const Phase p = phase_;
  return p == Phase::starting || p == Phase::running;
}

std::string PluginInstance::mount_path(const std::string& path) const {
  return "/channels/" + config_.instance + (path == "/" ? "" : path);
}

std::function<void()> PluginInstance::holding_call_lock(std::function<void()> fn) {
  return [self = shared_from_this(), fn = std::move(fn)] {
    CallGuard call(*self);
    fn();
  };
}

void PluginInstance::on_strand(std::function<void()> fn) {
  strand_->post(holding_call_lock(std::move(fn)));
}

void PluginInstance::now_or_on_strand(std::function<void()> fn) {
  strand_->dispatch(holding_call_lock(std::move(fn)));
}

// ------------------------------------------------------------------------- lifecycle

og_status PluginInstance::start(std::string& error) {
  og_status status = OG_OK;
  bool created = false;
  {
    CallGuard call(*this);
    phase_ = Phase::starting;
    og_error err = make_abi_error();
    void* state = nullptr;
    status = api_.create(host_api_table(), &ctx_, og_str_of(config_.instance),
                         og_str_of(config_.config_json), &state, &err);
    if (status == OG_OK) {
      created = true;
      plugin_state_ = state;
      if (api_.start != nullptr) {
        err = make_abi_error();
        status = api_.start(state, &err);
      }
    }
    if (status == OG_OK) {
      phase_ = Phase::running;
      return OG_OK;
    }
    err.message[sizeof err.message - 1] = '\0';  // a C plugin may have filled it to the brim
    error = err.message[0] != '\0' ? err.message : "status " + std::to_string(status);
    phase_ = Phase::stopping;
  }
  {
    std::lock_guard lock(state_mu_);
    routes_.clear();
    ws_routes_.clear();
  }
  drain_and_destroy(created);
  return status;
}

void PluginInstance::stop() {
  {
    CallGuard call(*this);
    if (phase_ != Phase::running) return;
    phase_ = Phase::stopping;
    if (api_.stop != nullptr) api_.stop(plugin_state_);
  }
  drain_and_destroy(true);
}

void PluginInstance::drain_and_destroy(bool destroy_plugin) {
  // phase_ is `stopping`: nothing new is accepted from here on.
  std::map<uint64_t, std::shared_ptr<http::WsConnection>> connections;
  std::map<uint64_t, uint64_t> timers;
  std::map<uint64_t, PendingFetch> fetches;
  {
    std::lock_guard lock(state_mu_);
    connections.swap(ws_connections_);
    timers.swap(timers_);
    fetches = fetches_;
  }
  // A deferred reply the plugin can no longer give: the provider retries.
  std::vector<uint64_t> deferred;
  {
    std::lock_guard lock(state_mu_);
    for (const auto& [id, request] : requests_) {
      if (request->deferred && !request->response) deferred.push_back(id);
    }
  }
  for (uint64_t id : deferred) answer_deferred(id, "the channel instance stopped");
  for (auto& [id, conn] : connections) conn->close(1001, "channel stopping");
  for (auto& [id, strand_timer] : timers) {
    if (strand_timer != 0) strand_->cancel(strand_timer);
  }
  for (auto& [id, f] : fetches) services_.fetcher.cancel(f.fetcher_id);
  // Every write queued so far completes now, so each commit callback gets its real outcome.
  services_.store.flush();
  std::map<uint64_t, PendingSend> sends;
  {
    CallGuard call(*this);
    std::map<uint64_t, PendingCommit> commits;
    std::map<uint64_t, PostedTask> posts;
    {
      std::lock_guard lock(state_mu_);
      fetches.clear();
      fetches.swap(fetches_);
      commits.swap(commits_);
      sends.swap(sends_);
      posts.swap(posts_);
      posts_closed_ = true;
    }
    // The ABI promises every accepted fetch, commit callback (conversation actions included),
    // posted task and kv completion exactly one completion before destroy(); a plugin that
    // failed create() has no state left to receive them.
    if (destroy_plugin) {
      auto cancelled = make_abi_struct<og_fetch_response>();
      cancelled.error = og_str_of("cancelled: channel instance stopping");
      for (auto& [id, f] : fetches) f.fn(f.user, id, &cancelled);
      for (auto& [key, c] : commits) {
        const auto [status, stored_id] =
            c.outcome.value_or(std::pair<og_status, int64_t>{OG_RETRY, c.unsettled_id});
        c.fn(c.user, status, stored_id);
      }
      for (auto& [id, task] : posts) task.fn(task.user, 1);
    }
    // The store was flushed above: each kv completion gets its write's real outcome.
    kv_.finish_all(destroy_plugin);
    if (destroy_plugin) api_.destroy(plugin_state_);
    plugin_state_ = nullptr;
    phase_ = Phase::stopped;
    blobs_.drop_all();
  }
  for (auto& [ticket, s] : sends) {
    if (s.timeout_timer != 0) strand_->cancel(s.timeout_timer);
    if (s.looked_up) {
      s.looked_up(LookupOutcome{
          LookupOutcome::Kind::unknown, {}, "instance_stopped", "channel instance stopped", 0});
    } else {
      s.done(outcome_for(OG_RETRY, {}, "instance_stopped", "channel instance stopped", 0));
    }
  }
}

// ------------------------------------------------------------------------- HTTP routes

og_status PluginInstance::register_http_route(std::string_view method, std::string_view path,
                                              const og_route_options& options,
                                              og_http_handler_fn handler, void* user,
                                              std::string& error) {
  if (phase_ != Phase::starting || caller_.load() != std::this_thread::get_id()) {
    error = "routes can only be registered during create() or start()";
    return OG_PERMANENT;
  }
  if (handler == nullptr) {
    error = "route handler is NULL";
    return OG_CONFIG;
  }
  if (!method.empty() && !is_token(method)) {
    error = "invalid HTTP method for route " + std::string(path);
    return OG_CONFIG;
  }
  std::string canonical = canonical_route_path(path);
  if (canonical.empty()) {
    error = "route path \"" + std::string(path) +
            "\" must start with '/' and be a literal path (no {, }, *, ?, #, %, . or ..)";
    return OG_CONFIG;
  }
  std::lock_guard lock(state_mu_);
  for (const auto& r : routes_) {
    if (r.path == canonical && (r.method.empty() || method.empty() || r.method == method)) {
      error = "route " + (method.empty() ? std::string("*") : std::string(method)) + " " +
              canonical + " is already registered";
      return OG_CONFIG;
    }
  }
  routes_.push_back({std::string(method), std::move(canonical), options, handler, user});
  return OG_OK;
}

og_status PluginInstance::register_ws_route(std::string_view path, const og_ws_handlers& handlers,
                                            std::string& error) {
  if (phase_ != Phase::starting || caller_.load() != std::this_thread::get_id()) {
    error = "routes can only be registered during create() or start()";
    return OG_PERMANENT;
  }
  if (handlers.on_open == nullptr || handlers.on_message == nullptr) {
    error = "WebSocket route needs on_open and on_message";
    return OG_CONFIG;
  }
  std::string canonical = canonical_route_path(path);
  if (canonical.empty()) {
    error = "route path \"" + std::string(path) +
            "\" must start with '/' and be a literal path (no {, }, *, ?, #, %, . or ..)";
    return OG_CONFIG;
  }
  std::lock_guard lock(state_mu_);
  for (const auto& r : ws_routes_) {
    if (r.path == canonical) {
      error = "WebSocket route " + canonical + " is already registered";
      return OG_CONFIG;
    }
  }
  ws_routes_.push_back({std::move(canonical), handlers});
  return OG_OK;
}

std::vector<PluginHost::RouteInfo> PluginInstance::routes() const {
  std::vector<PluginHost::RouteInfo> out;
  std::lock_guard lock(state_mu_);
  for (const auto& r : routes_) {
    out.push_back({r.method, mount_path(r.path), false, r.options.max_body_bytes,
                   r.options.respond_timeout_ms});
  }
  for (const auto& r : ws_routes_) out.push_back({"GET", mount_path(r.path), true, 0, 0});
  return out;
}

void PluginInstance::mount(http::Router& router) {
  std::vector<HttpRoute> routes;
  std::vector<WsRoute> ws_routes;
  {
    std::lock_guard lock(state_mu_);
    routes = routes_;
    ws_routes = ws_routes_;
  }
  std::weak_ptr<PluginInstance> weak = weak_from_this();
  std::vector<std::string> paths;
  for (const auto& route : routes) paths.push_back(route.path);
  for (const auto& path : unused_body_limits(config_.body_limits, paths)) {
    ::omnigate::log(LogLevel::warn, "plugin_host",
                    "instance " + config_.instance + ": body_limits \"" + path +
                        "\" names no route of plugin " + api_.name + "; ignored");
  }
  for (const auto& route : routes) {
    const RouteBodyLimit limit =
        route_body_limit(route.path, route.options.max_body_bytes,
                         services_.options.default_max_body_bytes, config_.body_limits);
    if (!limit.warning.empty()) {
      ::omnigate::log(
          LogLevel::warn, "plugin_host",
          "instance " + config_.instance + " (plugin " + api_.name + "): " + limit.warning);
    }
    auto handler = [weak, route](const http::Request& req, http::Reply reply) {
      if (auto self = weak.lock()) {
        self->handle_http(route, req, std::move(reply));
      } else {
        reply(retry_later("channel instance is gone\n"));
      }
    };
    if (route.method.empty()) {
      for (std::string_view m : every_method)
        router.add(std::string(m), mount_path(route.path), http::AccessRule::for_plugin(), handler,
                   limit.bytes);
    } else {
      router.add(route.method, mount_path(route.path), http::AccessRule::for_plugin(), handler,
                 limit.bytes);
    }
  }
  for (const auto& route : ws_routes) {
    http::WsHandler h;
    h.on_open = [weak, route](const http::Request& req, std::shared_ptr<http::WsConnection> conn) {
      auto self = weak.lock();
      if (!self) return false;
      // Synchronous by the server's contract: the plugin is called under call_mu_ on this thread.
      CallGuard call(*self);
      if (self->phase_ != Phase::running) return false;
      const uint64_t id = conn->id();
      {
        std::lock_guard lock(self->state_mu_);
        self->ws_connections_[id] = conn;
      }
      // Named, not a temporary: BorrowedRequest keeps a view of it for the on_open call.
      std::string below = req.path.substr(std::min(req.path.size(), self->mount_path("/").size()));
      if (below.empty()) below = "/";
      BorrowedRequest upgrade(req, 0, below);
      const og_status st = route.handlers.on_open(route.handlers.user, id, &upgrade.request);
      if (st != OG_OK) {
        std::lock_guard lock(self->state_mu_);
        self->ws_connections_.erase(id);
      }
      return st == OG_OK;
    };
    h.on_message = [weak, route](uint64_t conn_id, std::string data, bool is_text) {
      auto self = weak.lock();
      if (!self) return;
      self->on_strand([self, route, conn_id, data = std::move(data), is_text] {
        if (self->phase_ != Phase::running) return;
        const isolation::InputInFlight input{.instance = self->config_.instance.c_str(),
                                             .kind = isolation::InputKind::ws,
                                             .ws_path = og_str_of(route.path),
                                             .ws_frame = og_str_of(data),
                                             .ws_is_text = is_text ? 1 : 0};
        if (self->services_.crashes.quarantined(input)) return;  // crashed the plugin before
        const isolation::InputScope scope(input);
        route.handlers.on_message(route.handlers.user, conn_id, og_str_of(data), is_text ? 1 : 0);
      });
    };
    h.on_close = [weak, route](uint64_t conn_id) {
      auto self = weak.lock();
      if (!self) return;
      {
        std::lock_guard lock(self->state_mu_);
        self->ws_connections_.erase(conn_id);
      }
      if (route.handlers.on_close == nullptr) return;
      self->on_strand([self, route, conn_id] {
        if (self->phase_ != Phase::running) return;
        route.handlers.on_close(route.handlers.user, conn_id);
      });
    };
    router.add_ws(mount_path(route.path), http::AccessRule::for_plugin(), std::move(h));
  }
}

void PluginInstance::handle_http(const HttpRoute& route, const http::Request& req,
                                 http::Reply reply) {
  if (phase_ != Phase::running) {
    reply(retry_later("channel instance is not running\n"));
    return;
  }
  auto pending = std::make_shared<PendingRequest>();
  pending->id = next_id_.fetch_add(1);
  pending->reply = std::move(reply);
  {
    std::lock_guard lock(state_mu_);
    requests_[pending->id] = pending;
  }
  // `req` stays valid until the reply is sent (http_types.hpp), which happens only after this.
  // Called from the session's handler, never from inside this strand: when no other request of
  // this instance is being handled, the plugin runs right here instead of on the next free
  // worker, which saves a scheduler round trip (and often a wake-up) per webhook.
  now_or_on_strand([this, route, &req, pending] {
    og_status status = OG_RETRY;
    if (phase_ == Phase::running) {
      // The plugin sees the path below its mount point. Named, not a temporary: BorrowedRequest
      // keeps a view of it for the whole handler call.
      std::string below = req.path.substr(std::min(req.path.size(), mount_path("/").size()));
      if (below.empty()) below = "/";
      BorrowedRequest borrowed(req, pending->id, below);
      const isolation::InputInFlight input{.instance = config_.instance.c_str(),
                                           .kind = isolation::InputKind::http,
                                           .http = &borrowed.request};
      if (services_.crashes.quarantined(input)) {
        // It crashed the plugin quarantine_after times and is stored in the quarantine: a 2xx
        // makes the provider stop retrying; nothing is lost.
        std::lock_guard lock(state_mu_);
        pending->response =
            http::Response{200, "text/plain; charset=utf-8", "accepted (quarantined)\n", {}};
        status = OG_OK;
      } else {
        const isolation::InputScope scope(input);
        status = route.handler(route.user, &borrowed.request);
      }
    }
    bool deferred = false;
    {
      std::lock_guard lock(state_mu_);
      pending->handler_returned = true;
      // OG_PENDING without a reply: respond() comes later (any thread). A reply given or
      // refused inside the handler is the answer whatever the handler returns.
      deferred = status == OG_PENDING && !pending->response && pending->refused.empty() &&
                 phase_ == Phase::running;
      pending->deferred = deferred;
      if (!deferred && !pending->response) {
        pending->response = status == OG_PENDING
                                ? retry_later("channel instance is stopping; retry later\n")
                                : response_for_status(status);
      }
    }
    if (deferred) defer(pending, route.options.respond_timeout_ms);
    finish_request_if_ready(pending);
  });
}

void PluginInstance::replay(const isolation::CapturedInput& input,
                            std::function<void(std::string)> done) {
  if (input.kind != isolation::InputKind::http) {
    // A frame's connection is gone: the release lets the client's resend through instead.
    done("not replayed (a WebSocket frame is delivered when its client sends it again)");
    return;
  }
  std::optional<HttpRoute> route;
  {
    std::lock_guard lock(state_mu_);
    for (const auto& r : routes_) {
      if (r.path == input.path && (r.method.empty() || r.method == input.method)) route = r;
    }
  }
  if (!route) {
    done("not replayed: the plugin has no route " + input.method + " " + input.path);
    return;
  }
  auto request = std::make_shared<http::Request>();
  request->method = input.method;
  request->target = input.target;
  request->path = mount_path(input.path);
  if (auto q = input.target.find('?'); q != std::string::npos)
    request->query = input.target.substr(q + 1);
  request->headers = input.headers;
  request->body = input.body;
  request->remote_addr = input.remote_addr;
  handle_http(*route, *request, [request, done = std::move(done)](http::Response response) {
    done("HTTP " + std::to_string(response.status));
  });
}

void PluginInstance::finish_request_if_ready(const std::shared_ptr<PendingRequest>& request) {
  http::Reply reply;
  http::Response response;
  {
    std::lock_guard lock(state_mu_);
    if (!request->handler_returned || request->uncommitted > 0 || !request->reply ||
        !request->response) {
      return;
    }
    reply = std::move(request->reply);
    request->reply = nullptr;
    requests_.erase(request->id);
    // The 2xx may only follow a durable commit; otherwise the provider must retry. A reply the
    // host refused is never replaced by a success the plugin did not give.
    if (request->commit_failed) {
      response = retry_later("could not store the request; retry later\n");
    } else if (!request->refused.empty()) {
      response = text_response(500, "channel plugin error\n");
    } else {
      response = std::move(*request->response);
    }
  }
  reply(std::move(response));
}

bool PluginInstance::open_for_plugin(const PendingRequest& request) {
  return !request.handler_returned || (request.deferred && request.answered_by_host.empty());
}

og_status PluginInstance::respond(uint64_t request_id, const og_http_response* in,
                                  std::string& error) {
  std::shared_ptr<PendingRequest> request;
  bool deferred = false;
  {
    std::lock_guard lock(state_mu_);
    auto it = requests_.find(request_id);
    if (it != requests_.end()) request = it->second;
    if (request) deferred = request->deferred;
    if (request && !request->answered_by_host.empty()) {
      error = "request " + std::to_string(request_id) +
              " was already answered 503: " + request->answered_by_host;
      return OG_PERMANENT;
    }
    if (!request || !open_for_plugin(*request)) {
      error = "request " + std::to_string(request_id) + " is not being handled right now";
      return OG_PERMANENT;
    }
  }
  // Until its handler returned OG_PENDING a request is answered from inside the handler only.
  if (!deferred && caller_.load() != std::this_thread::get_id()) {
    error =
        "respond from a thread outside the instance's callbacks is allowed only after the "
        "handler returned OG_PENDING";
    refuse_reply(request_id, "respond", error);
    return OG_PERMANENT;
  }
  http::Response out;
  const auto response = read_abi_struct(in);
  error = response ? to_http_response(*response, out)
                   : "og_http_response is NULL or its struct_size is too small";
  if (!error.empty()) {
    refuse_reply(request_id, "respond", error);
    return OG_PERMANENT;
  }
  uint64_t timer = 0;
  {
    std::lock_guard lock(state_mu_);
    if (!open_for_plugin(*request) || requests_.count(request_id) == 0) {
      error = "request " + std::to_string(request_id) + " was answered meanwhile";
      return OG_PERMANENT;
    }
    request->response = std::move(out);
    timer = std::exchange(request->timeout_timer, 0);
  }
  if (deferred) {
    if (timer != 0) strand_->cancel(timer);
    finish_request_if_ready(request);
  }
  return OG_OK;
}

void PluginInstance::defer(const std::shared_ptr<PendingRequest>& request,
                           uint32_t respond_timeout_ms) {
  const uint32_t ms = respond_timeout_ms != 0 ? respond_timeout_ms : default_respond_timeout_ms;
  const uint64_t id = request->id;
  const uint64_t timer =
      strand_->post_after(std::chrono::milliseconds(ms), [weak = weak_from_this(), id, ms] {
        if (auto self = weak.lock()) {
          self->answer_deferred(id, "no respond() within " + std::to_string(ms) + " ms");
        }
      });
  std::lock_guard lock(state_mu_);
  // A respond() that came first leaves nothing to time out.
  if (!request->response) request->timeout_timer = timer;
}

void PluginInstance::answer_deferred(uint64_t request_id, const std::string& why) {
  std::shared_ptr<PendingRequest> request;
  uint64_t timer = 0;
  {
    std::lock_guard lock(state_mu_);
    auto it = requests_.find(request_id);
    if (it == requests_.end() || !it->second->deferred || it->second->response) return;
    request = it->second;
    request->answered_by_host = why;
    request->response = retry_later("channel plugin did not answer in time; retry later\n");
    timer = std::exchange(request->timeout_timer, 0);
  }
  if (timer != 0) strand_->cancel(timer);
  ::omnigate::log(LogLevel::error, "plugin_host",
                  "instance " + config_.instance + " (plugin " + api_.name +
                      "): deferred request " + std::to_string(request_id) +
                      " answered 503: " + why);
  finish_request_if_ready(request);
}

bool PluginInstance::refuse_outside_callback(std::string_view function, uint64_t request_id,
                                             std::string& error) {
  if (caller_.load() == std::this_thread::get_id()) return false;
  error = std::string(function) +
          " is callback only: called from a thread that is not inside a callback of the "
          "instance";
  refuse_reply(request_id, function, error);
  return true;
}

void PluginInstance::refuse_reply(uint64_t request_id, std::string_view what,
                                  const std::string& reason) {
  bool answered_500 = false;
  std::shared_ptr<PendingRequest> deferred;
  if (request_id != 0) {
    std::lock_guard lock(state_mu_);
    auto it = requests_.find(request_id);
    if (it != requests_.end() && open_for_plugin(*it->second)) {
      if (it->second->refused.empty()) it->second->refused = reason;
      answered_500 = true;
      // A deferred request has no handler left to give a reply: this refusal is its answer.
      if (it->second->deferred && !it->second->response) {
        deferred = it->second;
        deferred->response = text_response(500, "channel plugin error\n");
      }
    }
  }
  if (deferred) {
    if (const uint64_t timer = std::exchange(deferred->timeout_timer, 0); timer != 0)
      strand_->cancel(timer);
    finish_request_if_ready(deferred);
  }
  ::omnigate::log(LogLevel::error, "plugin_host",
                  "instance " + config_.instance + " (plugin " + api_.name +
                      "): " + std::string(what) + " refused" +
                      (answered_500 ? ", request answered 500" : "") + ": " + reason);
}

// ------------------------------------------------------------------------- submits and commits

og_status PluginInstance::submit(uint64_t request_id, og_commit_fn done, void* user,
                                 std::string& error, const StartWrite& start_write) {
  if (!accepts_plugin_calls()) {
    error = "channel instance is not running";
    return OG_RETRY;
  }
  std::shared_ptr<PendingRequest> request;
  const uint64_t commit_key = done != nullptr ? next_id_.fetch_add(1) : 0;
  {
    std::lock_guard lock(state_mu_);
    if (request_id != 0) {
      auto it = requests_.find(request_id);
      if (it == requests_.end() || !open_for_plugin(*it->second) ||
          (it->second->deferred && it->second->response)) {
        error = "request " + std::to_string(request_id) + " is not being handled right now";
        return OG_PERMANENT;
      }
      request = it->second;
      ++request->uncommitted;
    }
    if (done != nullptr) commits_[commit_key] = PendingCommit{done, user, std::nullopt};
  }
  try {
    start_write([self = shared_from_this(), request, commit_key](CommitOutcome outcome) {
      self->on_committed(request, commit_key, outcome);
    });
  } catch (const std::exception& e) {
    std::lock_guard lock(state_mu_);
    if (request) --request->uncommitted;
    commits_.erase(commit_key);
    error = std::string("store refused the write: ") + e.what();
    return OG_RETRY;
  }
  return OG_OK;
}

// Runs on the store's writer thread: record, then hand the plugin's part to the strand.
void PluginInstance::on_committed(const std::shared_ptr<PendingRequest>& request,
                                  uint64_t commit_key, const CommitOutcome& outcome) {
  if (!outcome.ok) {
    ::omnigate::log(LogLevel::warn, "plugin_host",
                    "commit for instance " + config_.instance + " failed: " + outcome.error);
  }
  bool deliver = false;
  {
    std::lock_guard lock(state_mu_);
    if (request) {
      --request->uncommitted;
      if (!outcome.ok) request->commit_failed = true;
    }
    if (auto it = commits_.find(commit_key); it != commits_.end()) {
      it->second.outcome = std::pair<og_status, int64_t>{outcome.ok ? OG_OK : OG_RETRY, outcome.id};
      deliver = true;
    }
  }
  if (request) finish_request_if_ready(request);
  if (deliver) on_strand([this, commit_key] { deliver_commit(commit_key); });
}

void PluginInstance::deliver_commit(uint64_t commit_key) {
  PendingCommit commit{};
  {
    std::lock_guard lock(state_mu_);
    auto it = commits_.find(commit_key);
    if (it == commits_.end()) return;  // already delivered by drain_and_destroy
    commit = it->second;
    commits_.erase(it);
  }
  commit.fn(commit.user, commit.outcome->first, commit.outcome->second);
}

void PluginInstance::notify_committed(const store::IngestResult& result, Committed what) {
  // Called right on the writer thread: the listener only queues the notice, and a post per
  // message (scheduler lock, a wake-up of a worker) cost more than the listener itself.
  own_conversations_.add(result.conversation_id);
  if (services_.committed) services_.committed(config_.instance, result, what);
}

og_status PluginInstance::submit_inbound(uint64_t request_id, const og_inbound_message& message,
                                         og_commit_fn done, void* user, std::string& error) {
  store::InboundRecord record;
  error = to_inbound_record(message, {config_.instance, channel_kind_, now_ms(), &blobs_}, record);
  if (!error.empty()) return OG_PERMANENT;
  record.phone_region = config_.phone_region;
  return submit(request_id, done, user, error, [&](auto on_commit) {
    services_.store.ingest_message(std::move(record), [self = shared_from_this(), on_commit](
                                                          store::Outcome<store::IngestResult> r) {
      if (r.ok && !r.value.duplicate) {
        self->services_.metrics.counter_add("omnigate_plugin_inbound_total",
                                            "Inbound messages committed per channel instance",
                                            self->instance_labels_);
        self->notify_committed(r.value, Committed::customer_message);
      }
      on_commit({r.ok, r.error, r.value.message_id});
    });
  });
}

og_status PluginInstance::submit_delivery(uint64_t request_id, const og_delivery_report& report,
                                          og_commit_fn done, void* user, std::string& error) {
  store::DeliveryRecord record;
  error = to_delivery_record(report, {config_.instance, channel_kind_, now_ms()}, record);
  if (!error.empty()) return OG_PERMANENT;
  return submit(request_id, done, user, error, [&](auto on_commit) {
    services_.store.ingest_delivery(std::move(record),
                                    [on_commit](store::Outcome<store::DeliveryResult> r) {
                                      on_commit({r.ok, r.error, r.value.message_id});
                                    });
  });
}

og_status PluginInstance::submit_event(uint64_t request_id, const og_channel_event& event,
                                       og_commit_fn done, void* user, std::string& error) {
  store::ChannelEventRecord record;
  error =
      to_channel_event_record(event, {config_.instance, channel_kind_, now_ms(), &blobs_}, record);
  if (!error.empty()) return OG_PERMANENT;
  record.phone_region = config_.phone_region;
  return submit(request_id, done, user, error, [&](auto on_commit) {
    services_.store.ingest_channel_event(
        std::move(record),
        [self = shared_from_this(), on_commit](store::Outcome<store::IngestResult> r) {
          if (r.ok && !r.value.duplicate) self->notify_committed(r.value, Committed::channel_event);
          on_commit({r.ok, r.error, r.value.message_id});
        });
  });
}

// ------------------------------------------------------------------------- outbound

bool PluginInstance::settled_as_not_running(uint64_t ticket) {
  if (phase_ == Phase::running) return false;
  complete_send(
      ticket, OG_RETRY,
      outcome_for(OG_RETRY, {}, "instance_not_running", "channel instance is not running", 0));
  return true;
}

void PluginInstance::send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) {
  if (phase_ != Phase::running) {
    done(outcome_for(OG_RETRY, {}, "instance_not_running", "channel instance is not running", 0));
    return;
  }
  own_conversations_.add(item.conversation_id);
  const uint64_t ticket = begin_ticket(PendingSend{std::move(done), 0, {}});
  on_strand([self = shared_from_this(), item, ticket] {
    if (self->settled_as_not_running(ticket)) return;
    const OutboundView message(item);
    og_error err = make_abi_error();
    const isolation::InputInFlight input{.instance = self->config_.instance.c_str(),
                                         .kind = isolation::InputKind::outbox,
                                         .outbox_id = item.id};
    const isolation::InputScope scope(input);
    const og_status st = self->api_.send_message(self->plugin_state_, ticket, message.get(), &err);
    if (st != OG_OK) {
      err.message[sizeof err.message - 1] = '\0';
      self->complete_send(ticket, st, outcome_for(st, {}, {}, err.message, 0));
    }
  });
}

void PluginInstance::lookup(const store::OutboxItem& item,
                            std::function<void(LookupOutcome)> done) {
  // A 1.0 plugin's og_plugin_api ends before lookup_send: the loader's copy reads it as NULL.
  if (api_.lookup_send == nullptr) {
    done(LookupOutcome{LookupOutcome::Kind::unsupported, {}, {}, {}, 0});
    return;
  }
  if (phase_ != Phase::running) {
    done(LookupOutcome{LookupOutcome::Kind::unknown,
                       {},
                       "instance_not_running",
                       "channel instance is not running",
                       0});
    return;
  }
  const uint64_t ticket = begin_ticket(PendingSend{{}, 0, std::move(done)});
  on_strand([self = shared_from_this(), item, ticket] {
    if (self->settled_as_not_running(ticket)) return;
    const OutboundView message(item);
    std::vector<og_str> taken;
    for (const auto& id : item.taken_provider_ids) taken.push_back(og_str_of(id));
    auto lookup = make_abi_struct<og_send_lookup>();
    lookup.attempts = item.attempts;
    lookup.enqueued_at_ms = item.created_at;
    lookup.taken_ids = taken.data();
    lookup.taken_id_count = taken.size();
    og_error err = make_abi_error();
    const isolation::InputInFlight input{.instance = self->config_.instance.c_str(),
                                         .kind = isolation::InputKind::outbox,
                                         .outbox_id = item.id};
    const isolation::InputScope scope(input);
    const og_status st =
        self->api_.lookup_send(self->plugin_state_, ticket, message.get(), &lookup, &err);
    if (st != OG_OK) {
      err.message[sizeof err.message - 1] = '\0';
      self->complete_send(ticket, st, outcome_for(st, {}, {}, err.message, 0));
    }
  });
}

uint64_t PluginInstance::begin_ticket(PendingSend pending) {
  const uint64_t ticket = next_id_.fetch_add(1);
  {
    std::lock_guard lock(state_mu_);
    sends_[ticket] = std::move(pending);
  }
  const int timeout_ms = services_.options.send_timeout_ms;
  const uint64_t timer = strand_->post_after(
      std::chrono::milliseconds(timeout_ms), [self = shared_from_this(), ticket, timeout_ms] {
        self->complete_send(
            ticket, OG_RETRY,
            outcome_for(OG_RETRY, {}, "send_timeout",
                        "no send_result within " + std::to_string(timeout_ms) + " ms", 0));
      });
  {
    std::lock_guard lock(state_mu_);
    if (auto it = sends_.find(ticket); it != sends_.end()) it->second.timeout_timer = timer;
  }
  return ticket;
}

void PluginInstance::send_result(uint64_t ticket, const og_send_result& result) {
  for (og_str s : {result.provider_message_id, result.error_code, result.error_text}) {
    if (s.len != 0 && s.ptr == nullptr) {
      complete_send(ticket, OG_INTERNAL,
                    outcome_for(OG_INTERNAL, {}, "bad_send_result",
                                "send_result had a string with no pointer", 0));
      return;
    }
  }
  complete_send(
      ticket, result.status,
      outcome_for(result.status, copy_of(result.provider_message_id), copy_of(result.error_code),
                  copy_of(result.error_text), result.retry_after_ms));
}

namespace {

// What the plugin's answer to lookup_send means for the outbox. Anything but a clear "found"
// (with the provider's id) or "not found" is "cannot tell": the row must not be sent blindly.
LookupOutcome lookup_outcome_for(og_status status, SendOutcome outcome) {
  LookupOutcome o;
  o.error_code = std::move(outcome.error_code);
  o.error_text = std::move(outcome.error_text);
  o.retry_after_ms = outcome.retry_after_ms;
  if (status == OG_OK && !outcome.provider_message_id.empty()) {
    o.kind = LookupOutcome::Kind::found;
    o.provider_message_id = std::move(outcome.provider_message_id);
  } else if (status == OG_NOT_FOUND) {
    o.kind = LookupOutcome::Kind::not_found;
  } else if (status == OG_DECLINE) {
    o.kind = LookupOutcome::Kind::unsupported;
  } else {
    o.kind = LookupOutcome::Kind::unknown;
    if (status == OG_OK && o.error_text.empty())
      o.error_text = "lookup answered OK without a provider message id";
  }
  return o;
}

}  // namespace

void PluginInstance::complete_send(uint64_t ticket, og_status status, SendOutcome outcome) {
  PendingSend send;
  {
    std::lock_guard lock(state_mu_);
    auto it = sends_.find(ticket);
    if (it == sends_.end()) return;  // stale or repeated ticket: ignored, as the ABI says
    send = std::move(it->second);
    sends_.erase(it);
  }
  if (send.timeout_timer != 0) strand_->cancel(send.timeout_timer);
  if (send.looked_up) {
    send.looked_up(lookup_outcome_for(status, std::move(outcome)));
    return;
  }
  services_.metrics.counter_add("omnigate_plugin_outbound_total",
                                "Outbound sends per channel instance and result",
                                {{"instance", config_.instance},
                                 {"channel", channel_kind_},
                                 {"result", send_outcome_name(outcome.kind)}});
  send.done(std::move(outcome));
}

og_status PluginInstance::list_unsettled_sends(int64_t sent_after_ms, int64_t sent_before_ms,
                                               int64_t after_id, int32_t limit,
                                               og_unsettled_visit_fn visit, void* user,
                                               int32_t& count, std::string& error) {
  count = 0;
  if (visit == nullptr) {
    error = "visit is NULL";
    return OG_PERMANENT;
  }
  if (limit < 1 || limit > 1000) {
    error = "limit must be 1..1000";
    return OG_PERMANENT;
  }
  if (!accepts_plugin_calls()) {
    error = "channel instance is not running";
    return OG_RETRY;
  }
  const auto rows = services_.store.unsettled_sends(config_.instance, sent_after_ms, sent_before_ms,
                                                    after_id, limit);
  for (const auto& row : rows) {
    auto item = make_abi_struct<og_unsettled_send>();
    item.state = row.delivery_state == "queued" ? OG_DELIVERY_QUEUED : OG_DELIVERY_SENT;
    item.outbox_id = row.outbox_id;
    item.provider_message_id = og_str_of(row.provider_message_id);
    item.sent_at_ms = row.sent_at;
    visit(user, &item);
    ++count;
  }
  return OG_OK;
}

// ------------------------------------------------------------------------- timers

og_status PluginInstance::set_timer(uint32_t delay_ms, uint64_t& timer_id, std::string& error) {
  if (api_.on_timer == nullptr) {
    error = "the plugin has no on_timer callback";
    return OG_PERMANENT;
  }
  if (!accepts_plugin_calls()) {
    error = "channel instance is not running";
    return OG_RETRY;
  }
  const uint64_t id = next_id_.fetch_add(1);
  {
    std::lock_guard lock(state_mu_);
    timers_[id] = 0;
  }
  const uint64_t strand_timer =
      strand_->post_after(std::chrono::milliseconds(delay_ms),
                          [self = shared_from_this(), id] { self->fire_timer(id); });
  {
    std::lock_guard lock(state_mu_);
    if (auto it = timers_.find(id); it != timers_.end()) it->second = strand_timer;
  }
  timer_id = id;
  return OG_OK;
}

void PluginInstance::cancel_timer(uint64_t timer_id) {
  uint64_t strand_timer = 0;
  {
    std::lock_guard lock(state_mu_);
    auto it = timers_.find(timer_id);
    if (it == timers_.end()) return;
    strand_timer = it->second;
    timers_.erase(it);
  }
  if (strand_timer != 0) strand_->cancel(strand_timer);
}

void PluginInstance::fire_timer(uint64_t timer_id) {
  {
    std::lock_guard lock(state_mu_);
    if (timers_.erase(timer_id) == 0) return;  // cancelled meanwhile
  }
  CallGuard call(*this);
  if (phase_ == Phase::running) api_.on_timer(plugin_state_, timer_id);
}

// ------------------------------------------------------------------------- outbound HTTP

og_status PluginInstance::http_fetch(const og_fetch_request& request, og_fetch_done_fn done,
                                     void* user, uint64_t& fetch_id, std::string& error) {
  if (refuse_outside_callback("http_fetch", 0, error)) return OG_PERMANENT;
  if (!accepts_plugin_calls()) {
    error = "channel instance is not running";
    return OG_RETRY;
  }
  if (done == nullptr) {
    error = "http_fetch needs a completion callback";
    return OG_PERMANENT;
  }
  for (og_str s : {request.method, request.url, request.body, request.basic_auth_user,
                   request.basic_auth_password}) {
    if (s.len != 0 && s.ptr == nullptr) {
      error = "a string field has a length but no pointer";
      return OG_PERMANENT;
    }
  }
  const auto headers = read_abi_array(request.headers, request.header_count, error);
  if (!headers) {
    error = "headers" + error;
    return OG_PERMANENT;
  }
  FetchSpec spec;
  if (request.method.len != 0) spec.method = copy_of(request.method);
  spec.url = copy_of(request.url);
  for (const og_header& h : *headers) {
    if ((h.name.len != 0 && h.name.ptr == nullptr) ||
        (h.value.len != 0 && h.value.ptr == nullptr)) {
      error = "a header has a length but no pointer";
      return OG_PERMANENT;
    }
    spec.headers.emplace_back(copy_of(h.name), copy_of(h.value));
  }
  spec.body = copy_of(request.body);
  spec.basic_auth_user = copy_of(request.basic_auth_user);
  spec.basic_auth_password = copy_of(request.basic_auth_password);
  spec.timeout_ms =
      request.timeout_ms > 0 ? request.timeout_ms : services_.options.fetch_timeout_ms;
  spec.max_response_bytes = config_.max_fetch_bytes != 0
                                ? config_.max_fetch_bytes
                                : services_.options.max_fetch_response_bytes;
  // Both must agree: the operator allows it for this instance AND the plugin asks for it on
  // this request, so a plugin fetching a customer-supplied URL (e.g. MMS media) stays guarded.
  spec.allow_restricted_addresses =
      config_.allow_private_fetch && (request.flags & OG_FETCH_ALLOW_PRIVATE) != 0;
  error = fetch_spec_error(spec);
  if (!error.empty()) return OG_PERMANENT;

  const uint64_t id = next_id_.fetch_add(1);
  {
    std::lock_guard lock(state_mu_);
    fetches_[id] = PendingFetch{done, user, 0};
  }
  const uint64_t fetcher_id = services_.fetcher.start(std::move(spec), [self = shared_from_this(),
                                                                        id](FetchResult result) {
    {
      std::lock_guard lock(self->state_mu_);
      if (self->fetches_.count(id) == 0) return;  // already completed as cancelled
    }
    self->on_strand([self, id, result = std::move(result)] { self->deliver_fetch(id, result); });
  });
  {
    std::lock_guard lock(state_mu_);
    if (auto it = fetches_.find(id); it != fetches_.end()) it->second.fetcher_id = fetcher_id;
  }
  fetch_id = id;
  return OG_OK;
}

void PluginInstance::deliver_fetch(uint64_t fetch_id, const FetchResult& result) {
  PendingFetch fetch{};
  {
    std::lock_guard lock(state_mu_);
    auto it = fetches_.find(fetch_id);
    if (it == fetches_.end()) return;
    fetch = it->second;
    fetches_.erase(it);
  }
  std::vector<og_header> headers;
  for (const auto& [n, v] : result.headers) headers.push_back(abi_header(n, v));
  auto response = make_abi_struct<og_fetch_response>();
  response.http_status = result.http_status;
  response.headers = headers.empty() ? nullptr : headers.data();
  response.header_count = headers.size();
  response.body = og_str_of(result.body);
  response.error = og_str_of(result.error);
  fetch.fn(fetch.user, fetch_id, &response);
}

// ------------------------------------------------------------------------- WebSocket sends

og_status PluginInstance::ws_send(uint64_t conn_id, std::string_view data, bool is_text,
                                  std::string& error) {
  std::shared_ptr<http::WsConnection> conn;
  {
    std::lock_guard lock(state_mu_);
    if (auto it = ws_connections_.find(conn_id); it != ws_connections_.end()) conn = it->second;
  }
  if (!conn || !conn->send(std::string(data), is_text)) {
    error = "WebSocket connection " + std::to_string(conn_id) + " is closed";
    return OG_PERMANENT;
  }
  return OG_OK;
}

og_status PluginInstance::ws_close(uint64_t conn_id, int code, std::string_view reason) {
  std::shared_ptr<http::WsConnection> conn;
  {
    std::lock_guard lock(state_mu_);
    if (auto it = ws_connections_.find(conn_id); it != ws_connections_.end()) conn = it->second;
  }
  if (!conn) return OG_PERMANENT;
  conn->close(code, std::string(reason));
  return OG_OK;
}

// ------------------------------------------------------------------------- key/value, log

namespace {
std::string kv_key_error(std::string_view key) {
  if (key.empty()) return "key is empty";
  if (key.size() > max_kv_key_bytes)
    return "key longer than " + std::to_string(max_kv_key_bytes) + " bytes";
  return {};
}
}  // namespace

og_status PluginInstance::kv_get(std::string_view key, og_kv_visit_fn visit, void* user,
                                 bool& found, std::string& error) {
  error = kv_key_error(key);
  if (!error.empty()) return OG_PERMANENT;
  if (visit == nullptr) {
    error = "kv_get needs a visit callback";
    return OG_PERMANENT;
  }
  try {
    // A write not durable yet is what the plugin last said: it reads its own writes.
    auto value = kv_.queued(key);
    if (!value) value = services_.store.kv_get(config_.instance, std::string(key));
    found = value->has_value();
    if (found) visit(user, og_str_of(**value));
    return OG_OK;
  } catch (const std::exception& e) {
    error = std::string("store: ") + e.what();
    return OG_RETRY;
  }
}

og_status PluginInstance::kv_put(std::string_view key, std::string_view value, og_kv_done_fn done,
                                 void* user, std::string& error) {
  error = kv_key_error(key);
  if (!error.empty()) return OG_PERMANENT;
  if (value.size() > max_kv_value_bytes) {
    error = "value longer than " + std::to_string(max_kv_value_bytes) + " bytes";
    return OG_PERMANENT;
  }
  return kv_.write(key, value, done, user, error);
}

og_status PluginInstance::kv_delete(std::string_view key, og_kv_done_fn done, void* user,
                                    std::string& error) {
  error = kv_key_error(key);
  if (!error.empty()) return OG_PERMANENT;
  return kv_.write(key, std::nullopt, done, user, error);
}

void PluginInstance::log(og_log_level level, std::string_view message) {
  if (message.size() > max_log_bytes) message = message.substr(0, max_log_bytes);
  ::omnigate::log(log_level_of(level), "plugin:" + config_.instance, message);
}

}  // namespace omnigate::plugin_host
