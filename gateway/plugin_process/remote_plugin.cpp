#include "plugin_process/remote_plugin.hpp"

#include "core/log.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_process/protocol.hpp"
#include "plugin_process/rpc_channel.hpp"
#include "plugin_process/wire.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern char** environ;

namespace omnigate::plugin_process {

using plugin_host::make_abi_struct;
using plugin_host::og_str_of;
using plugin_host::view_of;
using plugin_host::write_error;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kComponent = "plugin_process";

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "killed by signal " + std::to_string(sig) +
           (name ? std::string(" (SIG") + name + ")" : std::string());
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

std::string status_payload(og_status status, std::string_view message = {}) {
  WireWriter w;
  w.i32(status);
  w.str(message);
  return w.take();
}

// Resident memory of a process in bytes (/proc/<pid>/statm), 0 when unknown.
std::uint64_t resident_bytes(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

// One plugin-host process: its channel, the thread serving calls from the plugin's own
// threads, and a thread watching its memory.
struct Child {
  pid_t pid = -1;
  std::uint64_t generation = 0;
  Clock::time_point started;
  std::shared_ptr<TopLevelQueue> queue = std::make_shared<TopLevelQueue>();
  std::unique_ptr<RpcChannel> channel;
  std::thread worker;
  std::thread watcher;
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool watch_stop = false;

  // Closes the channel, reaps the process (killing it if it does not end) and joins threads.
  // Never on the channel's reader thread.
  void finish() {
    if (channel) channel->close("plugin process stopped");
    queue->close();
    {
      std::lock_guard lock(watch_mu);
      watch_stop = true;
      watch_cv.notify_all();
    }
    if (watcher.joinable()) watcher.join();
    if (worker.joinable()) worker.join();
    if (pid > 0) {
      int status = 0;
      for (int i = 0; i < 200; ++i) {  // 2 s for a clean exit after destroy
        if (::waitpid(pid, &status, WNOHANG) != 0) {
          pid = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        pid = -1;
      }
    }
    channel.reset();
  }
};

class RemotePlugin::Impl : public std::enable_shared_from_this<RemotePlugin::Impl> {
 public:
  Impl(std::string file, std::string instance, ProcessOptions options, RemoteHooks hooks)
      : file_(std::move(file)),
        instance_(std::move(instance)),
        options_(std::move(options)),
        hooks_(std::move(hooks)) {}

  ~Impl() {
    std::vector<std::shared_ptr<Child>> all;
    {
      std::lock_guard lock(mu_);
      if (child_) all.push_back(std::move(child_));
      for (auto& c : graveyard_) all.push_back(std::move(c));
      graveyard_.clear();
      state_ = State::stopped;
    }
    for (auto& c : all) c->finish();
  }

  // ---- description (filled by load)
  std::string name, version, channel_kind, description, config_schema_json;
  std::uint32_t abi_major = 0, abi_minor = 0, flags = 0;

  std::string load(std::string& error);
  og_status create(const og_host_api* host, og_host_ctx* ctx, og_str config, og_error* err);
  og_status start(og_error* err);
  void stop();
  void destroy();
  og_status send_message(uint64_t ticket, const og_outbound_message* message, og_error* err);
  og_status lookup_send(uint64_t ticket, const og_outbound_message* message,
                        const og_send_lookup* lookup, og_error* err);
  void on_timer(uint64_t timer_id);
  void on_conversation(const og_conversation_notice* notice);
  og_status on_command(const og_channel_command* command, og_error* err);

  Status status() const;
  bool enable();

  // ---- proxies the host calls (route handlers, WebSocket handlers, callbacks)
  struct RouteProxy {
    Impl* self;
    std::string method, path;
    std::uint64_t child_handler = 0;
  };
  struct WsProxy {
    Impl* self;
    std::string path;
    std::uint64_t child_handlers = 0;
    std::uint32_t flags = 0;
  };
  // A one-shot callback of the child (commit, fetch, kv write, task), valid for its generation.
  struct CallbackRef {
    std::weak_ptr<Impl> self;
    std::uint64_t generation;
    std::uint64_t id;
  };
  og_status on_http(const RouteProxy& route, const og_http_request& request);
  og_status on_ws_open(const WsProxy& ws, uint64_t conn, const og_http_request& upgrade);
  void on_ws_message(const WsProxy& ws, uint64_t conn, og_str data, int32_t is_text);
  void on_ws_close(const WsProxy& ws, uint64_t conn);
  // Calls a callback of the child's generation `generation` (dropped if that child is gone).
  void call_back(std::uint64_t generation, PluginMethod method, std::string payload);

 private:
  enum class State { loaded, starting, running, restarting, disabled, stopped };

  std::shared_ptr<Child> spawn(std::string& error);
  // A call into the current child. nullopt when there is none, or it died or hung meanwhile
  // (its death handled before this returns).
  std::optional<std::string> call_child(PluginMethod method, std::string payload,
                                        std::uint64_t only_generation = 0);
  std::string handle_host_call(std::uint64_t generation, std::uint32_t method,
                               std::string_view payload);
  // A submit the child sent without waiting (inside the request's handler, checked there with
  // the host's rules) failed here after all (the instance stopping, the store refusing): the
  // request must not be acknowledged, whatever the plugin responds.
  void submit_failed_unanswered(std::uint64_t request, const char* why);
  void child_closed(std::uint64_t generation, const std::string& why);
  void settle_after_death(const std::string& reason);
  void schedule_restart(std::chrono::milliseconds delay);
  void restart();
  void set_state(State state, std::string reason);
  void announce();  // tells hooks_.state_changed the current state; never with mu_ held
  std::string create_payload(og_str config) const;
  // send_message / lookup_send: the ticket is settled as a retry if the child dies with it.
  og_status ticket_call(uint64_t ticket, PluginMethod method, std::string payload, og_error* err);

  const std::string file_;
  const std::string instance_;
  const ProcessOptions options_;
  const RemoteHooks hooks_;
  const og_host_api* host_ = nullptr;  // the instance's real host, from create() to destroy()
  og_host_ctx* ctx_ = nullptr;
  std::string config_json_;  // for restarts

  mutable std::mutex mu_;  // guards everything below
  State state_ = State::loaded;
  std::string state_reason_;
  std::shared_ptr<Child> child_;
  std::vector<std::shared_ptr<Child>> graveyard_;  // dead children to finish off the reader
  std::uint64_t generation_ = 0;
  std::uint64_t handled_generation_ = 0;  // deaths handled up to this generation
  std::condition_variable death_cv_;
  std::string kill_reason_;  // why we killed the current child (watchdog, memory)
  const isolation::InputInFlight* in_flight_ = nullptr;  // the input inside the child, if any
  bool first_run_ = true;  // create/start of PluginInstance: routes go to the host
  int restarts_ = 0;
  int consecutive_crashes_ = 0;
  uint64_t restart_timer_ = 0;
  // What the current child has open, settled when it dies.
  std::set<uint64_t> tickets_, deferred_, ws_conns_, timers_, blob_writers_;
  std::set<uint64_t> failed_submits_;  // requests a submit_failed_unanswered concerns
  std::vector<std::unique_ptr<RouteProxy>> routes_;
  std::vector<std::unique_ptr<WsProxy>> ws_routes_;
  std::map<std::pair<og_metric_kind, std::string>, uint64_t> metrics_;
};

// ---------------------------------------------------------------- trampolines

namespace {

RemotePlugin::Impl& impl(void* instance) {
  return *static_cast<RemotePlugin::Impl*>(instance);
}

og_status route_trampoline(void* user, const og_http_request* request) {
  auto* route = static_cast<RemotePlugin::Impl::RouteProxy*>(user);
  return route->self->on_http(*route, *request);
}
og_status ws_open_trampoline(void* user, uint64_t conn, const og_http_request* upgrade) {
  auto* ws = static_cast<RemotePlugin::Impl::WsProxy*>(user);
  return ws->self->on_ws_open(*ws, conn, *upgrade);
}
void ws_message_trampoline(void* user, uint64_t conn, og_str data, int32_t is_text) {
  auto* ws = static_cast<RemotePlugin::Impl::WsProxy*>(user);
  ws->self->on_ws_message(*ws, conn, data, is_text);
}
void ws_close_trampoline(void* user, uint64_t conn) {
  auto* ws = static_cast<RemotePlugin::Impl::WsProxy*>(user);
  ws->self->on_ws_close(*ws, conn);
}

// One-shot callbacks: the ref is freed here, whether the child still exists or not.
template <class Fill>
void one_shot(void* user, PluginMethod method, Fill fill) {
  std::unique_ptr<RemotePlugin::Impl::CallbackRef> ref(
      static_cast<RemotePlugin::Impl::CallbackRef*>(user));
  auto self = ref->self.lock();
  if (!self) return;
  WireWriter w;
  w.u64(ref->id);
  fill(w);
  self->call_back(ref->generation, method, w.take());
}

void commit_trampoline(void* user, og_status status, int64_t id) {
  one_shot(user, PluginMethod::commit_done, [&](WireWriter& w) {
    w.i32(status);
    w.i64(id);
  });
}
void fetch_trampoline(void* user, uint64_t fetch_id, const og_fetch_response* response) {
  one_shot(user, PluginMethod::fetch_done, [&](WireWriter& w) {
    w.u64(fetch_id);
    write_fetch_response(w, *response);
  });
}
void kv_done_trampoline(void* user, og_status status) {
  one_shot(user, PluginMethod::kv_done, [&](WireWriter& w) { w.i32(status); });
}
void task_trampoline(void* user, int32_t cancelled) {
  one_shot(user, PluginMethod::task, [&](WireWriter& w) { w.i32(cancelled); });
}

// Visitors run inside the host call that takes them: the ref lives on the caller's stack.
struct VisitRef {
  RemotePlugin::Impl* self;
  std::uint64_t generation;
  std::uint64_t id;
};
template <class Fill>
void visit(void* user, PluginMethod method, Fill fill) {
  auto* ref = static_cast<VisitRef*>(user);
  WireWriter w;
  w.u64(ref->id);
  fill(w);
  ref->self->call_back(ref->generation, method, w.take());
}
void kv_visit_trampoline(void* user, og_str value) {
  visit(user, PluginMethod::kv_visit, [&](WireWriter& w) { w.str(value); });
}
void unsettled_visit_trampoline(void* user, const og_unsettled_send* send) {
  visit(user, PluginMethod::unsettled_visit,
        [&](WireWriter& w) { write_unsettled_send(w, *send); });
}
void conversation_visit_trampoline(void* user, const og_conversation_state* state) {
  visit(user, PluginMethod::conversation_visit,
        [&](WireWriter& w) { write_conversation_state(w, *state); });
}
void customer_visit_trampoline(void* user, const og_customer_info* customer) {
  visit(user, PluginMethod::customer_visit,
        [&](WireWriter& w) { write_customer_info(w, *customer); });
}

// The proxy og_plugin_api. `create` finds its Impl by instance name: the table is per plugin
// file, not per instance, and create has no user pointer.
std::mutex g_pending_mu;
std::map<std::string, std::weak_ptr<RemotePlugin::Impl>> g_pending;

og_status proxy_create(const og_host_api* host, og_host_ctx* ctx, og_str instance_name,
                       og_str config_json, void** instance, og_error* err) {
  std::shared_ptr<RemotePlugin::Impl> self;
  {
    std::lock_guard lock(g_pending_mu);
    auto it = g_pending.find(std::string(view_of(instance_name)));
    if (it != g_pending.end()) self = it->second.lock();
  }
  if (!self) {
    write_error(err, OG_INTERNAL, "no plugin process was started for this instance");
    return OG_INTERNAL;
  }
  const og_status status = self->create(host, ctx, config_json, err);
  if (status == OG_OK) *instance = self.get();
  return status;
}
og_status proxy_start(void* instance, og_error* err) {
  return impl(instance).start(err);
}
void proxy_stop(void* instance) {
  impl(instance).stop();
}
void proxy_destroy(void* instance) {
  impl(instance).destroy();
}
og_status proxy_send_message(void* instance, uint64_t ticket, const og_outbound_message* message,
                             og_error* err) {
  return impl(instance).send_message(ticket, message, err);
}
og_status proxy_lookup_send(void* instance, uint64_t ticket, const og_outbound_message* message,
                            const og_send_lookup* lookup, og_error* err) {
  return impl(instance).lookup_send(ticket, message, lookup, err);
}
void proxy_on_timer(void* instance, uint64_t timer_id) {
  impl(instance).on_timer(timer_id);
}
void proxy_on_conversation(void* instance, const og_conversation_notice* notice) {
  impl(instance).on_conversation(notice);
}
og_status proxy_on_command(void* instance, const og_channel_command* command, og_error* err) {
  return impl(instance).on_command(command, err);
}

// Answers a request 503 with Retry-After through the host, so the provider tries again.
void respond_retry_later(const og_host_api* host, og_host_ctx* ctx, uint64_t request_id,
                         std::string_view why) {
  const og_header retry_after = plugin_host::abi_header("Retry-After", "1");
  auto response = make_abi_struct<og_http_response>();
  response.status = 503;
  response.content_type = og_str_of("text/plain; charset=utf-8");
  response.body = og_str_of(why);
  response.headers = &retry_after;
  response.header_count = 1;
  og_error err = OG_ERROR_INIT;
  host->respond(ctx, request_id, &response, &err);
}

}  // namespace

// ---------------------------------------------------------------- the child process

std::shared_ptr<Child> RemotePlugin::Impl::spawn(std::string& error) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    error = std::string("socketpair: ") + std::strerror(errno);
    return nullptr;
  }
  std::vector<std::string> args = {options_.executable, "plugin-host", "--fd", "3",
                                   "--instance",        instance_};
  if (options_.open_files_limit != 0) {
    args.push_back("--open-files");
    args.push_back(std::to_string(options_.open_files_limit));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);  // dup2 clears FD_CLOEXEC on 3
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // `serve` blocks its control signals in every thread; the child must not inherit that, nor
  // any handler: it gets default dispositions and an empty mask.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, options_.executable.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    error = "cannot start " + options_.executable + ": " + std::strerror(rc);
    return nullptr;
  }

  // A child that stops reading (stopped, wedged) must not block the gateway's writes past the
  // watchdog: a write that cannot proceed within call_timeout fails and ends the channel.
  const auto ms = options_.call_timeout.count();
  timeval send_timeout{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);

  auto child = std::make_shared<Child>();
  child->pid = pid;
  child->started = Clock::now();
  {
    std::lock_guard lock(mu_);
    child->generation = ++generation_;
  }
  const std::uint64_t generation = child->generation;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto queue = child->queue;
  child->channel = std::make_unique<RpcChannel>(
      fds[0], /*odd_lanes=*/false,
      [this, generation](std::uint32_t method, std::string_view payload) {
        return handle_host_call(generation, method, payload);
      },
      [queue](Frame frame) { queue->push(std::move(frame)); },
      [weak, generation](const std::string& why) {
        if (auto self = weak.lock()) self->child_closed(generation, why);
      });
  RpcChannel* channel = child->channel.get();
  child->channel->start();
  child->worker = std::thread([queue, channel] {
    while (auto frame = queue->pop()) channel->serve(std::move(*frame));
  });
  if (options_.memory_limit_bytes != 0) {
    Child* c = child.get();
    child->watcher = std::thread([this, c, generation] {
      std::unique_lock lock(c->watch_mu);
      while (!c->watch_cv.wait_for(lock, std::chrono::milliseconds(200),
                                   [c] { return c->watch_stop; })) {
        const std::uint64_t rss = resident_bytes(c->pid);
        if (rss <= options_.memory_limit_bytes) continue;
        {
          std::lock_guard state_lock(mu_);
          if (generation_ == generation && kill_reason_.empty())
            kill_reason_ = "memory limit exceeded (" + std::to_string(rss >> 20) + " MiB > " +
                           std::to_string(options_.memory_limit_bytes >> 20) + " MiB)";
        }
        ::kill(c->pid, SIGKILL);
        return;
      }
    });
  }
  return child;
}

std::string RemotePlugin::Impl::load(std::string& error) {
  auto child = spawn(error);
  if (!child) return {};
  {
    std::lock_guard lock(mu_);
    child_ = child;
  }
  WireWriter w;
  w.str(file_);
  CallFailure failure = CallFailure::none;
  auto result = child->channel->call(id(PluginMethod::load), w.take(),
                                     Clock::now() + options_.call_timeout, &failure);
  if (!result) {
    error = file_ + ": the plugin process " +
            (failure == CallFailure::deadline ? "did not answer" : "died") + " while loading it";
    return {};
  }
  WireReader r(*result);
  if (r.u8() == 0) {
    error = std::string(r.str());
    return {};
  }
  r.str();
  name = std::string(r.str());
  version = std::string(r.str());
  channel_kind = std::string(r.str());
  description = std::string(r.str());
  config_schema_json = std::string(r.str());
  abi_major = r.u32();
  abi_minor = r.u32();
  flags = r.u32();
  return name;
}

void RemotePlugin::Impl::set_state(State state, std::string reason) {
  // mu_ held by the caller, who calls announce() once it let go of it
  state_ = state;
  state_reason_ = std::move(reason);
}

void RemotePlugin::Impl::announce() {
  if (!hooks_.state_changed) return;
  const Status s = status();
  if (s.state == "running" || s.state == "degraded" || s.state == "disabled")
    hooks_.state_changed(s.state, s.reason);
}

RemotePlugin::Status RemotePlugin::Impl::status() const {
  std::lock_guard lock(mu_);
  Status s;
  switch (state_) {
    case State::running:
      s.state = "running";
      break;
    case State::restarting:
      s.state = "degraded";
      break;
    case State::disabled:
      s.state = "disabled";
      break;
    case State::stopped:
      s.state = "stopped";
      break;
    default:
      s.state = "starting";
  }
  s.reason = state_reason_;
  s.restarts = restarts_;
  s.pid = child_ ? child_->pid : -1;
  return s;
}

std::optional<std::string> RemotePlugin::Impl::call_child(PluginMethod method, std::string payload,
                                                          std::uint64_t only_generation) {
  std::shared_ptr<Child> child;
  bool set_in_flight = false;
  {
    std::lock_guard lock(mu_);
    if (!child_ || (state_ != State::running && state_ != State::starting)) return std::nullopt;
    if (only_generation != 0 && child_->generation != only_generation) return std::nullopt;
    child = child_;
    if (in_flight_ == nullptr) {
      in_flight_ = isolation::current_input();
      set_in_flight = in_flight_ != nullptr;
    }
  }
  CallFailure failure = CallFailure::none;
  auto result = child->channel->call(id(method), std::move(payload),
                                     Clock::now() + options_.call_timeout, &failure);
  std::unique_lock lock(mu_);
  if (!result) {
    if (failure == CallFailure::deadline) {
      if (generation_ == child->generation && kill_reason_.empty())
        kill_reason_ =
            "no answer within " + std::to_string(options_.call_timeout.count()) + " ms (watchdog)";
      ::kill(child->pid, SIGKILL);
    }
    // The death is handled on the channel's reader thread; wait for it so that it still sees
    // the input in flight (it lives on this thread's stack).
    death_cv_.wait(lock, [&] { return handled_generation_ >= child->generation; });
  }
  if (set_in_flight) in_flight_ = nullptr;
  return result;
}

void RemotePlugin::Impl::call_back(std::uint64_t generation, PluginMethod method,
                                   std::string payload) {
  call_child(method, std::move(payload), generation);
}

void RemotePlugin::Impl::child_closed(std::uint64_t generation, const std::string& why) {
  std::shared_ptr<Child> dead;
  std::string reason;
  std::optional<isolation::CapturedInput> input;
  bool first_run = false;
  {
    std::lock_guard lock(mu_);
    if (!child_ || child_->generation != generation) return;
    dead = std::move(child_);
    graveyard_.push_back(dead);
    if (state_ == State::stopped) {  // destroy() closed it: an orderly end
      handled_generation_ = generation;
      death_cv_.notify_all();
      return;
    }
    reason = kill_reason_;
    kill_reason_.clear();
    if (in_flight_ != nullptr) input = isolation::CapturedInput::capture(*in_flight_);
    first_run = first_run_;
  }
  // The process is gone or going: make sure, and learn how it ended.
  ::kill(dead->pid, SIGKILL);
  int status = 0;
  if (::waitpid(dead->pid, &status, 0) == dead->pid) {
    dead->pid = -1;
    if (reason.empty()) reason = describe_exit(status);
  }
  if (reason.empty()) reason = why;
  log(LogLevel::error, kComponent,
      "instance " + instance_ + ": plugin process " + reason +
          (input ? std::string(" while handling ") + isolation::to_string(input->kind) + " input " +
                       input->key()
                 : std::string(" outside any call")));
  const bool disable =
      hooks_.died ? hooks_.died(ChildDeath{instance_, reason, std::move(input)}) : false;
  std::chrono::milliseconds delay{0};
  bool restart = false;
  {
    std::lock_guard lock(mu_);
    // During create/start (first_run) the host decides what a failed instance is.
    if (!first_run && state_ != State::stopped) {
      if (Clock::now() - dead->started > std::chrono::seconds(60)) consecutive_crashes_ = 0;
      if (disable) {
        set_state(State::disabled, "crash loop: disabled after repeated crashes (last: " + reason +
                                       "); re-enable with `omnigate plugins enable` or "
                                       "POST /api/v1/admin/plugins/" +
                                       instance_ + "/enable");
        log(LogLevel::error, kComponent, "instance " + instance_ + ": " + state_reason_);
      } else {
        delay = options_.backoff_min * (1 << std::min(consecutive_crashes_, 16));
        if (delay > options_.backoff_max) delay = options_.backoff_max;
        ++consecutive_crashes_;
        set_state(State::restarting, "plugin process " + reason + "; restarting in " +
                                         std::to_string(delay.count()) + " ms");
        restart = true;
      }
    }
  }
  // Degraded before anything the dead child had open is answered: whoever gets the 503 or the
  // 1012 and asks /healthz already sees why.
  announce();
  settle_after_death(reason);
  {
    std::lock_guard lock(mu_);
    handled_generation_ = generation;
    death_cv_.notify_all();
  }
  if (restart) schedule_restart(delay);
}

void RemotePlugin::Impl::settle_after_death(const std::string& reason) {
  std::set<uint64_t> tickets, deferred, conns, timers, writers;
  {
    std::lock_guard lock(mu_);
    tickets.swap(tickets_);
    deferred.swap(deferred_);
    conns.swap(ws_conns_);
    timers.swap(timers_);
    writers.swap(blob_writers_);
  }
  const std::string why = "plugin process " + reason;
  for (uint64_t ticket : tickets) {
    auto result = make_abi_struct<og_send_result>();
    result.status = OG_RETRY;
    result.error_code = og_str_of("plugin_process_died");
    result.error_text = og_str_of(why);
    host_->send_result(ctx_, ticket, &result);
  }
  for (uint64_t request : deferred) respond_retry_later(host_, ctx_, request, why + "\n");
  // 1012 "service restart": clients reconnect.
  for (uint64_t conn : conns) host_->ws_close(ctx_, conn, 1012, og_str_of("plugin restarting"));
  for (uint64_t timer : timers) host_->cancel_timer(ctx_, timer);
  for (uint64_t writer : writers) host_->blob_abort(ctx_, writer);
}

void RemotePlugin::Impl::schedule_restart(std::chrono::milliseconds delay) {
  // mu_ is held across set_timer, so on_timer (which takes it) cannot see the timer fire
  // before its id is known. set_timer never calls back into the plugin.
  std::lock_guard lock(mu_);
  og_error err = OG_ERROR_INIT;
  if (host_->set_timer(ctx_, static_cast<uint32_t>(delay.count()), &restart_timer_, &err) !=
      OG_OK) {
    log(LogLevel::error, kComponent,
        "instance " + instance_ + ": cannot schedule a restart: " + err.message);
  }
}

// On the instance's strand (the restart timer's on_timer), like any callback.
void RemotePlugin::Impl::restart() {
  std::vector<std::shared_ptr<Child>> dead;
  {
    std::lock_guard lock(mu_);
    if (state_ != State::restarting) return;
    dead.swap(graveyard_);
  }
  for (auto& c : dead) c->finish();
  std::string error;
  auto child = spawn(error);
  if (!child) {
    log(LogLevel::error, kComponent, "instance " + instance_ + ": " + error);
    schedule_restart(options_.backoff_max);
    return;
  }
  const std::uint64_t generation = child->generation;
  {
    std::lock_guard lock(mu_);
    child_ = child;
    state_ = State::starting;
  }
  WireWriter w;
  w.str(file_);
  auto loaded = call_child(PluginMethod::load, w.take());
  auto status_of = [](const std::optional<std::string>& result, std::string& message) {
    if (!result) return OG_INTERNAL;
    WireReader r(*result);
    const og_status s = r.i32();
    message = std::string(r.str());
    return s;
  };
  std::string message;
  bool ok = loaded.has_value() && WireReader(*loaded).u8() == 1;
  if (ok)
    ok = status_of(call_child(PluginMethod::create, create_payload(og_str_of(config_json_))),
                   message) == OG_OK;
  if (ok) ok = status_of(call_child(PluginMethod::start, {}), message) == OG_OK;
  std::unique_lock lock(mu_);
  if (!child_ || child_->generation != generation) return;  // it died meanwhile: handled
  if (!ok) {
    // A child that cannot start counts as a crash: kill it and let the death path decide.
    if (kill_reason_.empty())
      kill_reason_ = "failed to start again" + (message.empty() ? "" : ": " + message);
    ::kill(child->pid, SIGKILL);
    return;
  }
  ++restarts_;
  set_state(State::running, {});
  log(LogLevel::info, kComponent,
      "instance " + instance_ + ": plugin process restarted (pid " + std::to_string(child->pid) +
          ", restart " + std::to_string(restarts_) + ")");
  lock.unlock();
  announce();
}

bool RemotePlugin::Impl::enable() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::disabled) return false;
    consecutive_crashes_ = 0;
    set_state(State::restarting, "re-enabled; starting");
  }
  announce();
  schedule_restart(std::chrono::milliseconds(0));
  return true;
}

// ---------------------------------------------------------------- og_plugin_api, proxied

std::string RemotePlugin::Impl::create_payload(og_str config) const {
  const og_host_info* info = host_->host_info ? host_->host_info(ctx_) : nullptr;
  WireWriter w;
  w.str(instance_);
  w.str(config);
  w.str(info ? info->mount_path : og_str{});
  w.str(info ? info->public_base_url : og_str{});
  w.str(info ? info->gateway_version : og_str{});
  return w.take();
}

og_status RemotePlugin::Impl::create(const og_host_api* host, og_host_ctx* ctx, og_str config,
                                     og_error* err) {
  host_ = host;
  ctx_ = ctx;
  config_json_ = std::string(view_of(config));
  {
    std::lock_guard lock(mu_);
    state_ = State::starting;
  }
  auto result = call_child(PluginMethod::create, create_payload(config));
  if (!result) {
    write_error(err, OG_INTERNAL, "the plugin process died during create");
    return OG_INTERNAL;
  }
  WireReader r(*result);
  const og_status status = r.i32();
  if (status != OG_OK) write_error(err, status, r.str());
  return status;
}

og_status RemotePlugin::Impl::start(og_error* err) {
  og_status status = OG_OK;
  if (flags & kHasStart) {
    auto result = call_child(PluginMethod::start, {});
    if (!result) {
      write_error(err, OG_INTERNAL, "the plugin process died during start");
      status = OG_INTERNAL;
    } else {
      WireReader r(*result);
      status = r.i32();
      if (status != OG_OK) write_error(err, status, r.str());
    }
  }
  std::lock_guard lock(mu_);
  first_run_ = false;
  if (status == OG_OK) set_state(State::running, {});
  return status;
}

void RemotePlugin::Impl::stop() {
  if (flags & kHasStop) call_child(PluginMethod::stop, {});
}

void RemotePlugin::Impl::destroy() {
  call_child(PluginMethod::destroy, {});
  std::vector<std::shared_ptr<Child>> all;
  {
    std::lock_guard lock(mu_);
    state_ = State::stopped;
    if (child_) all.push_back(std::move(child_));
    for (auto& c : graveyard_) all.push_back(std::move(c));
    graveyard_.clear();
  }
  for (auto& c : all) c->finish();
}

og_status RemotePlugin::Impl::ticket_call(uint64_t ticket, PluginMethod method, std::string payload,
                                          og_error* err) {
  {
    std::lock_guard lock(mu_);
    tickets_.insert(ticket);  // before the call: the child may answer inside it
  }
  og_status answer = OG_RETRY;
  auto result = call_child(method, std::move(payload));
  if (!result) {
    write_error(err, OG_RETRY, "the plugin process is not running (" + status().reason + ")");
  } else {
    WireReader r(*result);
    answer = r.i32();
    if (answer != OG_OK) write_error(err, answer, r.str());
  }
  if (answer != OG_OK) {
    std::lock_guard lock(mu_);
    tickets_.erase(ticket);
  }
  return answer;
}

og_status RemotePlugin::Impl::send_message(uint64_t ticket, const og_outbound_message* message,
                                           og_error* err) {
  WireWriter w;
  w.u64(ticket);
  write_outbound_message(w, *message);
  return ticket_call(ticket, PluginMethod::send_message, w.take(), err);
}

og_status RemotePlugin::Impl::lookup_send(uint64_t ticket, const og_outbound_message* message,
                                          const og_send_lookup* lookup, og_error* err) {
  WireWriter w;
  w.u64(ticket);
  write_outbound_message(w, *message);
  write_send_lookup(w, *lookup);
  return ticket_call(ticket, PluginMethod::lookup_send, w.take(), err);
}

void RemotePlugin::Impl::on_timer(uint64_t timer_id) {
  bool is_restart = false;
  {
    std::lock_guard lock(mu_);
    if (restart_timer_ != 0 && timer_id == restart_timer_) {
      restart_timer_ = 0;
      is_restart = true;
    } else if (timers_.erase(timer_id) == 0 || !(flags & kHasOnTimer)) {
      return;  // not a timer of the current child (a dead child's, cancelled)
    }
  }
  if (is_restart) {
    restart();
    return;
  }
  WireWriter w;
  w.u64(timer_id);
  call_child(PluginMethod::on_timer, w.take());
}

void RemotePlugin::Impl::on_conversation(const og_conversation_notice* notice) {
  WireWriter w;
  write_conversation_notice(w, *notice);
  call_child(PluginMethod::on_conversation, w.take());
}

og_status RemotePlugin::Impl::on_command(const og_channel_command* command, og_error* err) {
  WireWriter w;
  write_channel_command(w, *command);
  auto result = call_child(PluginMethod::on_command, w.take());
  if (!result) {
    write_error(err, OG_RETRY, "the plugin process is not running (" + status().reason + ")");
    return OG_RETRY;
  }
  WireReader r(*result);
  const og_status answer = r.i32();
  if (answer != OG_OK) write_error(err, answer, r.str());
  return answer;
}

og_status RemotePlugin::Impl::on_http(const RouteProxy& route, const og_http_request& request) {
  WireWriter w;
  w.u64(route.child_handler);
  write_http_request(w, request);
  auto result = call_child(PluginMethod::http_handler, w.take());
  if (!result) {
    respond_retry_later(
        host_, ctx_, request.request_id,
        "channel plugin unavailable (" + this->status().reason + "); retry later\n");
    return OG_OK;
  }
  WireReader r(*result);
  const og_status status = r.i32();
  bool failed_submit = false;
  {
    std::lock_guard lock(mu_);
    failed_submit = failed_submits_.erase(request.request_id) != 0;
    if (status == OG_PENDING && !failed_submit) deferred_.insert(request.request_id);
  }
  if (failed_submit) {
    // Replaces the plugin's reply: the provider must retry what was not stored.
    respond_retry_later(host_, ctx_, request.request_id, "the message could not be stored\n");
    return OG_OK;
  }
  return status;
}

void RemotePlugin::Impl::submit_failed_unanswered(std::uint64_t request, const char* why) {
  log(LogLevel::warn, kComponent,
      "instance " + instance_ + ": a submit for request " + std::to_string(request) +
          " failed: " + why + "; the request is answered 503");
  if (request == 0) return;
  std::lock_guard lock(mu_);
  failed_submits_.insert(request);
}

og_status RemotePlugin::Impl::on_ws_open(const WsProxy& ws, uint64_t conn,
                                         const og_http_request& upgrade) {
  WireWriter w;
  w.u64(ws.child_handlers);
  w.u64(conn);
  write_http_request(w, upgrade);
  auto result = call_child(PluginMethod::ws_open, w.take());
  if (!result) return OG_RETRY;
  const og_status status = WireReader(*result).i32();
  if (status == OG_OK) {
    std::lock_guard lock(mu_);
    ws_conns_.insert(conn);
  }
  return status;
}

void RemotePlugin::Impl::on_ws_message(const WsProxy& ws, uint64_t conn, og_str data,
                                       int32_t is_text) {
  WireWriter w;
  w.u64(ws.child_handlers);
  w.u64(conn);
  w.str(data);
  w.i32(is_text);
  call_child(PluginMethod::ws_message, w.take());
}

void RemotePlugin::Impl::on_ws_close(const WsProxy& ws, uint64_t conn) {
  {
    std::lock_guard lock(mu_);
    if (ws_conns_.erase(conn) == 0) return;  // a connection of a dead child: already settled
  }
  if (!(ws.flags & 4u)) return;
  WireWriter w;
  w.u64(ws.child_handlers);
  w.u64(conn);
  call_child(PluginMethod::ws_close, w.take());
}

// ---------------------------------------------------------------- og_host_api, for the child

std::string RemotePlugin::Impl::handle_host_call(std::uint64_t generation, std::uint32_t method,
                                                 std::string_view payload) {
  {
    std::lock_guard lock(mu_);
    if (generation != generation_ || host_ == nullptr)
      return status_payload(OG_RETRY, "this plugin process is being replaced");
  }
  WireReader r(payload);
  WireArena arena;
  og_error err = OG_ERROR_INIT;
  auto answer = [&](og_status status) {
    return status_payload(status, status == OG_OK ? "" : err.message);
  };
  // The answer plus one more value.
  auto answer_with = [&](og_status status, auto fill) {
    WireWriter w;
    w.i32(status);
    w.str(status == OG_OK ? std::string_view() : std::string_view(err.message));
    fill(w);
    return w.take();
  };
  auto one_shot_ref = [&](std::uint64_t cb) -> void* {
    return cb == 0 ? nullptr : new CallbackRef{weak_from_this(), generation, cb};
  };

  switch (static_cast<HostMethod>(method)) {
    case HostMethod::log: {
      const og_log_level level = r.i32();
      host_->log(ctx_, level, r.og());
      return {};
    }
    case HostMethod::register_http_route: {
      const std::string m(r.str());
      const std::string path(r.str());
      const og_route_options options = read_route_options(r);
      const std::uint64_t handler = r.u64();
      std::lock_guard lock(mu_);
      for (auto& route : routes_) {
        if (route->method == m && route->path == path) {
          route->child_handler = handler;  // a restarted child registers its routes again
          return answer(OG_OK);
        }
      }
      if (!first_run_) {
        write_error(&err, OG_PERMANENT,
                    "a restarted plugin cannot add the route " + path +
                        " it did not have at start (restart the gateway)");
        return answer(OG_PERMANENT);
      }
      auto route = std::make_unique<RouteProxy>(RouteProxy{this, m, path, handler});
      const og_status s = host_->register_http_route(ctx_, og_str_of(m), og_str_of(path), &options,
                                                     route_trampoline, route.get(), &err);
      if (s == OG_OK) routes_.push_back(std::move(route));
      return answer(s);
    }
    case HostMethod::register_ws_route: {
      const std::string path(r.str());
      const std::uint32_t present = r.u32();
      const std::uint64_t handlers = r.u64();
      std::lock_guard lock(mu_);
      for (auto& ws : ws_routes_) {
        if (ws->path == path) {
          ws->child_handlers = handlers;
          ws->flags = present;
          return answer(OG_OK);
        }
      }
      if (!first_run_) {
        write_error(&err, OG_PERMANENT,
                    "a restarted plugin cannot add the WebSocket route " + path +
                        " it did not have at start (restart the gateway)");
        return answer(OG_PERMANENT);
      }
      auto ws = std::make_unique<WsProxy>(WsProxy{this, path, handlers, present});
      auto h = make_abi_struct<og_ws_handlers>();
      h.user = ws.get();
      h.on_open = ws_open_trampoline;
      h.on_message = ws_message_trampoline;
      h.on_close = ws_close_trampoline;
      const og_status s = host_->register_ws_route(ctx_, og_str_of(path), &h, &err);
      if (s == OG_OK) ws_routes_.push_back(std::move(ws));
      return answer(s);
    }
    case HostMethod::respond: {
      const std::uint64_t request = r.u64();
      const og_http_response response = read_http_response(r, arena);
      r.u8();  // answer expected or not: a refused reply is logged and answered 500 either way
      {
        std::lock_guard lock(mu_);
        deferred_.erase(request);
      }
      return answer(host_->respond(ctx_, request, &response, &err));
    }
    case HostMethod::submit_inbound: {
      const std::uint64_t request = r.u64();
      const og_inbound_message message = read_inbound_message(r, arena);
      const std::uint64_t cb = r.u64();
      void* ref = one_shot_ref(cb);
      const og_status s = host_->submit_inbound(ctx_, request, &message,
                                                ref ? commit_trampoline : nullptr, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      if (s != OG_OK && r.u8() == 0) submit_failed_unanswered(request, err.message);
      return answer(s);
    }
    case HostMethod::submit_delivery: {
      const std::uint64_t request = r.u64();
      const og_delivery_report report = read_delivery_report(r);
      const std::uint64_t cb = r.u64();
      void* ref = one_shot_ref(cb);
      const og_status s = host_->submit_delivery(ctx_, request, &report,
                                                 ref ? commit_trampoline : nullptr, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      if (s != OG_OK && r.u8() == 0) submit_failed_unanswered(request, err.message);
      return answer(s);
    }
    case HostMethod::submit_event: {
      const std::uint64_t request = r.u64();
      const og_channel_event event = read_channel_event(r, arena);
      const std::uint64_t cb = r.u64();
      void* ref = one_shot_ref(cb);
      const og_status s =
          host_->submit_event(ctx_, request, &event, ref ? commit_trampoline : nullptr, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      if (s != OG_OK && r.u8() == 0) submit_failed_unanswered(request, err.message);
      return answer(s);
    }
    case HostMethod::send_result: {
      const std::uint64_t ticket = r.u64();
      const bool has = r.u8() != 0;
      og_send_result result = make_abi_struct<og_send_result>();
      if (has) result = read_send_result(r);
      {
        std::lock_guard lock(mu_);
        tickets_.erase(ticket);
      }
      host_->send_result(ctx_, ticket, has ? &result : nullptr);
      return {};
    }
    case HostMethod::ws_send: {
      const std::uint64_t conn = r.u64();
      const og_str data = r.og();
      const std::int32_t is_text = r.i32();
      return answer(host_->ws_send(ctx_, conn, data, is_text, &err));
    }
    case HostMethod::ws_close: {
      const std::uint64_t conn = r.u64();
      const std::int32_t code = r.i32();
      const og_str reason = r.og();
      {
        std::lock_guard lock(mu_);
        ws_conns_.erase(conn);
      }
      return answer(host_->ws_close(ctx_, conn, code, reason));
    }
    case HostMethod::set_timer: {
      const std::uint32_t delay = r.u32();
      std::uint64_t timer = 0;
      std::lock_guard lock(mu_);  // on_timer waits until the id is recorded
      const og_status s = host_->set_timer(ctx_, delay, &timer, &err);
      if (s == OG_OK) timers_.insert(timer);
      return answer_with(s, [&](WireWriter& w) { w.u64(timer); });
    }
    case HostMethod::cancel_timer: {
      const std::uint64_t timer = r.u64();
      {
        std::lock_guard lock(mu_);
        timers_.erase(timer);
      }
      host_->cancel_timer(ctx_, timer);
      return {};
    }
    case HostMethod::http_fetch: {
      const og_fetch_request request = read_fetch_request(r, arena);
      const std::uint64_t cb = r.u64();
      void* ref = one_shot_ref(cb);
      std::uint64_t fetch = 0;
      const og_status s = host_->http_fetch(ctx_, &request, fetch_trampoline, ref, &fetch, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      return answer_with(s, [&](WireWriter& w) { w.u64(fetch); });
    }
    case HostMethod::kv_get: {
      const og_str key = r.og();
      VisitRef ref{this, generation, r.u64()};
      int32_t found = 0;
      const og_status s =
          host_->kv_get(ctx_, key, ref.id ? kv_visit_trampoline : nullptr, &ref, &found, &err);
      return answer_with(s, [&](WireWriter& w) { w.i32(found); });
    }
    case HostMethod::kv_put:
    case HostMethod::kv_delete: {
      const og_str key = r.og();
      const bool put = static_cast<HostMethod>(method) == HostMethod::kv_put;
      const og_str value = put ? r.og() : og_str{};
      void* ref = one_shot_ref(r.u64());
      og_kv_done_fn done = ref ? kv_done_trampoline : nullptr;
      const og_status s = put ? host_->kv_put(ctx_, key, value, done, ref, &err)
                              : host_->kv_delete(ctx_, key, done, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      return answer(s);
    }
    case HostMethod::list_unsettled_sends: {
      const std::int64_t after = r.i64();
      const std::int64_t before = r.i64();
      const std::int64_t after_id = r.i64();
      const std::int32_t limit = r.i32();
      VisitRef ref{this, generation, r.u64()};
      int32_t count = 0;
      const og_status s = host_->list_unsettled_sends(
          ctx_, after, before, after_id, limit, unsettled_visit_trampoline, &ref, &count, &err);
      return answer_with(s, [&](WireWriter& w) { w.i32(count); });
    }
    case HostMethod::post: {
      void* ref = one_shot_ref(r.u64());
      const og_status s = host_->post(ctx_, task_trampoline, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      return answer(s);
    }
    case HostMethod::get_conversation: {
      const std::int64_t conversation = r.i64();
      VisitRef ref{this, generation, r.u64()};
      return answer(
          host_->get_conversation(ctx_, conversation, conversation_visit_trampoline, &ref, &err));
    }
    case HostMethod::blob_begin: {
      std::uint64_t writer = 0;
      const og_status s = host_->blob_begin(ctx_, &writer, &err);
      if (s == OG_OK) {
        std::lock_guard lock(mu_);
        blob_writers_.insert(writer);
      }
      return answer_with(s, [&](WireWriter& w) { w.u64(writer); });
    }
    case HostMethod::blob_write: {
      const std::uint64_t writer = r.u64();
      return answer(host_->blob_write(ctx_, writer, r.og(), &err));
    }
    case HostMethod::blob_finish: {
      const std::uint64_t writer = r.u64();
      const std::uint64_t capacity = r.u64();
      std::array<char, OG_BLOB_REF_MAX> ref{};
      std::uint64_t size = 0;
      const og_status s = host_->blob_finish(
          ctx_, writer, ref.data(), std::min<std::uint64_t>(capacity, ref.size()), &size, &err);
      {
        std::lock_guard lock(mu_);
        blob_writers_.erase(writer);
      }
      return answer_with(s, [&](WireWriter& w) {
        w.str(std::string_view(ref.data()));
        w.u64(size);
      });
    }
    case HostMethod::blob_abort: {
      const std::uint64_t writer = r.u64();
      {
        std::lock_guard lock(mu_);
        blob_writers_.erase(writer);
      }
      host_->blob_abort(ctx_, writer);
      return {};
    }
    case HostMethod::blob_read: {
      const og_str ref = r.og();
      const std::uint64_t offset = r.u64();
      // One call carries at most 4 MiB; the plugin's loop asks again for the rest.
      const std::size_t capacity = std::min<std::uint64_t>(r.u64(), 4u << 20);
      std::string buffer(capacity, '\0');
      std::size_t got = 0;
      std::uint64_t total = 0;
      const og_status s =
          host_->blob_read(ctx_, ref, offset, buffer.data(), capacity, &got, &total, &err);
      buffer.resize(s == OG_OK ? got : 0);
      return answer_with(s, [&](WireWriter& w) {
        w.str(buffer);
        w.u64(total);
      });
    }
    case HostMethod::metric_register: {
      const og_metric_kind kind = r.i32();
      const std::string name(r.str());
      const og_str help = r.og();
      std::lock_guard lock(mu_);
      if (auto it = metrics_.find({kind, name}); it != metrics_.end())
        return answer_with(OG_OK, [&](WireWriter& w) { w.u64(it->second); });
      std::uint64_t metric = 0;
      const og_status s = host_->metric_register(ctx_, kind, og_str_of(name), help, &metric, &err);
      if (s == OG_OK) metrics_[{kind, name}] = metric;
      return answer_with(s, [&](WireWriter& w) { w.u64(metric); });
    }
    case HostMethod::metric_record: {
      const std::uint64_t metric = r.u64();
      host_->metric_record(ctx_, metric, r.f64());
      return {};
    }
    case HostMethod::signal: {
      auto signal = make_abi_struct<og_conversation_signal>();
      signal.conversation_id = r.i64();
      signal.kind = r.og();
      signal.data_json = r.og();
      return answer(host_->signal(ctx_, &signal, &err));
    }
    case HostMethod::channel_availability: {
      // Each skill takes at least its length (8 bytes) and its level (4).
      std::vector<og_skill_requirement> skills(r.count(12));
      for (auto& skill : skills) {
        skill = make_abi_struct<og_skill_requirement>();
        skill.skill = r.og();
        skill.min_level = r.i32();
      }
      auto out = make_abi_struct<og_channel_availability>();
      const og_status s =
          host_->channel_availability(ctx_, skills.data(), skills.size(), &out, &err);
      return answer_with(s, [&](WireWriter& w) {
        w.i32(out.agents_online);
        w.i32(out.agents_free);
        w.i32(out.queued);
        w.i64(out.expected_wait_ms);
      });
    }
    case HostMethod::conversation_action: {
      const og_conversation_action action = read_conversation_action(r);
      void* ref = one_shot_ref(r.u64());
      const og_status s =
          host_->conversation_action(ctx_, &action, ref ? commit_trampoline : nullptr, ref, &err);
      if (s != OG_OK) delete static_cast<CallbackRef*>(ref);
      return answer(s);
    }
    case HostMethod::customer_lookup: {
      const og_str kind = r.og();
      const og_str address = r.og();
      VisitRef ref{this, generation, r.u64()};
      return answer(
          host_->customer_lookup(ctx_, kind, address, customer_visit_trampoline, &ref, &err));
    }
  }
  throw WireError("unknown host method " + std::to_string(method));
}

// ---------------------------------------------------------------- RemotePlugin

RemotePlugin::RemotePlugin(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {
  api_ = make_abi_struct<og_plugin_api>();
  api_.abi_major = impl_->abi_major;
  api_.abi_minor = impl_->abi_minor;
  api_.name = impl_->name.c_str();
  api_.version = impl_->version.c_str();
  api_.channel_kind = impl_->channel_kind.c_str();
  api_.description = impl_->description.empty() ? nullptr : impl_->description.c_str();
  api_.config_schema_json =
      impl_->config_schema_json.empty() ? nullptr : impl_->config_schema_json.c_str();
  api_.create = proxy_create;
  api_.start = proxy_start;
  api_.stop = proxy_stop;
  api_.destroy = proxy_destroy;
  api_.send_message = proxy_send_message;
  api_.on_timer = proxy_on_timer;  // always: restarts are scheduled on the host's timers
  if (impl_->flags & kHasLookupSend) api_.lookup_send = proxy_lookup_send;
  if (impl_->flags & kHasOnConversation) api_.on_conversation = proxy_on_conversation;
  if (impl_->flags & kHasOnCommand) api_.on_command = proxy_on_command;
}

RemotePlugin::~RemotePlugin() {
  std::lock_guard lock(g_pending_mu);
  for (auto it = g_pending.begin(); it != g_pending.end();) {
    it = it->second.expired() || it->second.lock() == impl_ ? g_pending.erase(it) : std::next(it);
  }
}

RemotePlugin::Launch RemotePlugin::launch(const std::string& file, const std::string& instance,
                                          ProcessOptions options, RemoteHooks hooks) {
  auto impl = std::make_shared<Impl>(file, instance, std::move(options), std::move(hooks));
  std::string error;
  impl->load(error);
  if (!error.empty()) return {nullptr, error};
  {
    std::lock_guard lock(g_pending_mu);
    g_pending[instance] = impl;
  }
  return {std::shared_ptr<RemotePlugin>(new RemotePlugin(impl)), {}};
}

RemotePlugin::Status RemotePlugin::status() const {
  return impl_->status();
}

bool RemotePlugin::enable() {
  return impl_->enable();
}

}  // namespace omnigate::plugin_process
