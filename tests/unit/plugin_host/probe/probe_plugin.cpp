// A test plugin that exposes every host service through HTTP routes, so the tests drive the
// host the way a real plugin would — through the C ABI of a dlopen()ed library — and observe
// results through the store (kv, messages). Routes (all under /channels/<instance>):
//   POST /inbound   {"id","from","text","thread"?}  submit_inbound tied to the request, 200
//                                             "stored"
//   POST /delivery  {"id","state"}            submit_delivery tied to the request
//   POST /event     {"id","kind","from"}      submit_event tied to the request
//   POST /kv        {"key","value"}           kv_put;   GET /kv?key=K → value or 404
//   POST /timer     {"ms","key"}              set_timer; on_timer does kv_put(key, "fired")
//   POST /fetch     {"url","key","private"}   http_fetch; completion does kv_put(key, result JSON)
//   GET  /overlap                             how many times two callbacks ever overlapped
//   WS   /ws   refuses upgrades whose query is "deny"; answers each message with "echo:<msg>";
//              on close does kv_put("ws-closed", "<conn id>")
// ABI 2.0 services (through the C table where the C++ wrapper has no helper):
//   POST /big (8 MiB ceiling), POST /sized (host default)   200 with the body's size
//   GET  /info                                host_info as JSON
//   POST /post-wrapped {"key"}                the same through Host::post; the task kv_puts key
//   POST /post      {"key"}                   a plugin thread post()s a task; the task calls the
//                                             callback-only http_fetch and kv_puts key →
//                                             "cancelled=<n> fetch=<status>"
//   POST /defer     {"id","from","text"}      a deferred route; a plugin thread submits the
//                                             message tied to the request, then responds 200
//   POST /defer-never                         (respond_timeout_ms 300) kv "deferred-id" = request
//                                             id, OG_PENDING, never responds
//   POST /defer-hold                          (default timeout) kv "held-id" = id, OG_PENDING
//   POST /respond-late {"id"}                 a plugin thread responds to request id; 200 with
//                                             respond's status
//   POST /respond-own                         a plugin thread responds to this request while
//                                             its handler runs (refused: 500)
//   POST /kv-async  {"key","value"}           kv_put with a completion (kv key.done = status),
//                                             200 with kv_get(key) read right after
//   POST /metric    {"counter","gauge","hist"} records from a plugin thread
//   GET  /metric-checks                       metric_register outcomes as JSON
//   POST /blob      {"chunks":[..],"id","from","filename","content_id","disposition"}
//                   streams the chunks into a blob (BlobWriter) and submits an inbound message
//                   with it attached by reference; 200 with the reference, 413 past the limit
//   POST /blob-ref  {"ref","id","from"}       submits an inbound message attaching `ref`;
//                   400 with the host's reason when refused
//   GET  /blob?ref=R&chunk=N                  the blob read back with blob_read in N-byte
//                   chunks; 404 for a malformed or unknown reference
//   GET  /notices                             every on_conversation notice so far, as JSON
//   GET  /conversation?id=N                   get_conversation as JSON; 404 when not found
// ABI 2.1 services (through the C table, so the tests see the host's exact status):
//   POST /signal {"conversation_id","kind","data"}  signal from a plugin thread; 200 with the
//                                             og_status and the host's message
//   POST /availability {"skills":[["s",level],..]}  channel_availability; 200 with the status
//                                             and the answer as JSON
// ABI 2.2 (through the C table as well):
//   POST /action {"kind","conversation_id","thread_key","agent_id","reason","data","done_key"}
//                   conversation_action from a plugin thread; 200 with the status and message;
//                   with done_key its completion kv_puts done_key = {"status","id"}
//   POST /customer {"kind","address"}        customer_lookup; 200 with the status and the answer
//   GET  /commands                            every on_command so far, as JSON. on_command:
//                   "recording.pause"/"recording.resume" → OG_OK, "call.gone" → OG_NOT_FOUND
//                   ("the call has ended"), anything else the wrapper's default (OG_PERMANENT)
// stop() posts a task and kv_puts with a completion; destroy writes kv "stop-report" saying
// how they ended.
// send(): the body text picks the behaviour: "ok", "silent" (never answers), "retry",
// "permanent", "later" (answers from a plugin thread). Attachments sent by reference are read
// back with blob_read in 64 KiB chunks and described in kv "sent-attachment".
#include <omnigate/plugin.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using omnigate::HttpRequest;
using omnigate::HttpResponse;

og_str lit(std::string_view s) {
  return og_str{s.data(), s.size()};
}

class ProbePlugin : public omnigate::Plugin {
 public:
  explicit ProbePlugin(const omnigate::PluginContext& ctx)
      : Plugin(ctx), api_(ctx.api), ctx_(ctx.ctx) {
    register_v2_routes();
    route("POST", "/inbound", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::InboundMessage m;
      m.provider_message_id = in.at("id");
      m.from_kind = "phone";
      m.from_address = in.at("from");
      m.to_address = "+15550000000";
      m.body_text = in.at("text");
      m.thread_key = in.value("thread", "");
      m.raw = std::string(r.body);
      host().submit_inbound(r.id, m);
      return HttpResponse{200, "text/plain", "stored\n", {}};
    });
    route("POST", "/delivery", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::DeliveryReport d;
      d.provider_message_id = in.at("id");
      d.state = in.at("state").get<int>();
      host().submit_delivery(r.id, d);
      return HttpResponse{200, "text/plain", "ok\n", {}};
    });
    route("POST", "/event", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::ChannelEvent e;
      e.provider_event_id = in.at("id");
      e.kind = in.at("kind");
      e.from_kind = "phone";
      e.from_address = in.at("from");
      e.data_json = R"({"duration_s": 42})";
      host().submit_event(r.id, e);
      return HttpResponse{200, "text/plain", "ok\n", {}};
    });
    route("POST", "/kv", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      host().kv_put(in.at("key").get<std::string>(), in.at("value").get<std::string>());
      return HttpResponse{200, "text/plain", "", {}};
    });
    route("GET", "/kv", [this](const HttpRequest& r) {
      const std::string key(r.query.substr(r.query.find('=') + 1));
      const auto value = host().kv_get(key);
      return value ? HttpResponse{200, "text/plain", *value, {}}
                   : HttpResponse{404, "text/plain", "", {}};
    });
    route("POST", "/timer", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      timer_keys_[host().set_timer(in.at("ms").get<uint32_t>())] = in.at("key");
      return HttpResponse{202, "text/plain", "", {}};
    });
    route("POST", "/fetch", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::FetchRequest f;
      f.url = in.at("url");
      f.allow_private = in.value("private", false);
      const std::string key = in.at("key");
      host().fetch(f, [this, key](const omnigate::FetchResponse& resp) {
        Guard guard(*this);
        json out = {
            {"status", resp.http_status}, {"error", resp.error}, {"body_size", resp.body.size()}};
        for (const auto& [name, value] : resp.headers) {
          if (name == "Location") out["location"] = value;
        }
        host().kv_put(key, out.dump());
      });
      return HttpResponse{202, "text/plain", "", {}};
    });
    host().ws_route(
        "/ws", omnigate::WsHandlers{[this](uint64_t, const HttpRequest& upgrade) {
                                      Guard guard(*this);
                                      return upgrade.query != "deny";
                                    },
                                    [this](uint64_t conn, std::string_view data, bool is_text) {
                                      Guard guard(*this);
                                      host().ws_send(conn, "echo:" + std::string(data), is_text);
                                    },
                                    [this](uint64_t conn) {
                                      Guard guard(*this);
                                      host().kv_put("ws-closed", std::to_string(conn));
                                    }});
    route("GET", "/overlap", [this](const HttpRequest&) {
      return HttpResponse{200, "text/plain", std::to_string(overlaps_.load()), {}};
    });
    add_blob_routes();
    route("GET", "/notices", [this](const HttpRequest&) {
      return HttpResponse{200, "application/json", notices_.dump(), {}};
    });
    if (has_v2_1()) register_v2_1_routes();
    if (has_v2_2()) register_v2_2_routes();
    route("GET", "/conversation", [this](const HttpRequest& r) {
      const auto state = host().get_conversation(std::stoll(std::string(query_value(r, "id"))));
      return state ? HttpResponse{200, "application/json", conversation_json(*state).dump(), {}}
                   : HttpResponse{404, "text/plain", "", {}};
    });
  }

  void add_blob_routes() {
    route("POST", "/blob", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::Attachment a;
      try {
        omnigate::Host::BlobWriter writer(host());
        for (const auto& chunk : in.at("chunks")) writer.write(chunk.get<std::string>());
        a.blob_ref = writer.finish(&a.size);
      } catch (const omnigate::Error& e) {
        return HttpResponse{413, "text/plain", e.what(), {}};
      }
      a.filename = in.value("filename", "");
      a.content_type = "application/octet-stream";
      a.content_id = in.value("content_id", "");
      a.disposition = in.value("disposition", "");
      submit_with(r, in, a);
      return HttpResponse{200, "text/plain", a.blob_ref, {}};
    });
    route("POST", "/blob-ref", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::Attachment a;
      a.blob_ref = in.at("ref");
      try {
        submit_with(r, in, a);
      } catch (const omnigate::Error& e) {
        return HttpResponse{400, "text/plain", e.what(), {}};
      }
      return HttpResponse{200, "text/plain", "stored\n", {}};
    });
    route("GET", "/blob", [this](const HttpRequest& r) {
      const std::string ref(query_value(r, "ref"));
      const size_t chunk = std::stoul(std::string(query_value(r, "chunk")));
      std::string bytes;
      uint64_t total = 0;
      for (;;) {
        const auto part = host().blob_read(ref, bytes.size(), chunk, &total);
        if (!part) return HttpResponse{404, "text/plain", "", {}};
        if (part->empty()) break;
        bytes += *part;
      }
      if (bytes.size() != total) return HttpResponse{500, "text/plain", "short read", {}};
      return HttpResponse{200, "application/octet-stream", bytes, {}};
    });
  }

  void on_conversation(const omnigate::ConversationNotice& n) override {
    Guard guard(*this);
    json j = conversation_json(n.state);
    j["change"] = n.change;
    j["previous_agent_id"] = n.previous_agent_id;
    j["detail"] = n.detail_json.empty() ? json(nullptr) : json::parse(n.detail_json);
    notices_.push_back(std::move(j));
  }

  og_status on_command(const omnigate::ChannelCommand& c) override {
    Guard guard(*this);
    commands_.push_back({{"conversation_id", c.conversation_id},
                         {"thread_key", c.thread_key},
                         {"command", c.command},
                         {"data", c.data_json.empty() ? json(nullptr) : json::parse(c.data_json)},
                         {"agent_id", c.agent_id}});
    if (c.command == "recording.pause" || c.command == "recording.resume") return OG_OK;
    if (c.command == "call.gone") throw omnigate::Error(OG_NOT_FOUND, "the call has ended");
    return Plugin::on_command(c);
  }

  ~ProbePlugin() override {
    for (auto& t : threads_) t.join();
    if (stop_report_) {
      host().kv_put("stop-report", "post=" + stop_post_ + " kv=" + stop_kv_);
    }
  }

  void stop() override {
    if (!has_v2()) return;
    stop_report_ = true;
    og_error err = OG_ERROR_INIT;
    if (api_->post(
            ctx_,
            [](void* user, int32_t cancelled) {
              auto* self = static_cast<ProbePlugin*>(user);
              self->stop_post_ += (self->stop_post_.empty() ? "" : ",") +
                                  std::string("cancelled=") + std::to_string(cancelled);
            },
            this, &err) != OG_OK) {
      stop_post_ = "refused";
    }
    host().kv_put("stop-kv", "x",
                  [this](og_status st) { stop_kv_ = "done=" + std::to_string(st); });
  }

  void on_timer(uint64_t id) override {
    Guard guard(*this);
    host().kv_put(timer_keys_.at(id), "fired");
  }

  void send(uint64_t ticket, const omnigate::OutboundMessage& m) override {
    Guard guard(*this);
    for (const auto& a : m.attachments) {
      if (a.blob_ref.empty()) continue;
      std::string bytes;
      while (const auto part = host().blob_read(a.blob_ref, bytes.size(), 64 * 1024)) {
        if (part->empty()) break;
        bytes += *part;
      }
      host().kv_put("sent-attachment", json{{"blob_ref", a.blob_ref},
                                            {"size", a.size},
                                            {"inline_bytes", a.data.size()},
                                            {"read_bytes", bytes.size()},
                                            {"read_fnv1a", fnv1a(bytes)}}
                                           .dump());
    }
    if (m.body_text == "retry") throw omnigate::RetryError("provider busy");
    if (m.body_text == "permanent") throw omnigate::PermanentError("number blocked");
    if (m.body_text == "silent") return;
    omnigate::SendResult ok{OG_OK, "probe-" + m.idempotency_key, {}, {}, 0};
    if (m.body_text == "later") {
      // send_result is callable from any thread.
      threads_.emplace_back([this, ticket, ok] { host().send_result(ticket, ok); });
      return;
    }
    host().send_result(ticket, ok);
  }

 private:
  // Counts callbacks that run while another one of this instance is still running.
  struct Guard {
    explicit Guard(ProbePlugin& p) : plugin(p) {
      if (plugin.active_.fetch_add(1) != 0) plugin.overlaps_.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // widen any overlap window
    }
    ~Guard() { plugin.active_.fetch_sub(1); }
    ProbePlugin& plugin;
  };

  bool has_v2() const {
    return OG_HAS_FIELD(api_, og_host_api, metric_record) && api_->post != nullptr &&
           api_->host_info != nullptr && api_->metric_register != nullptr;
  }

  bool has_v2_1() const {
    return OG_HAS_FIELD(api_, og_host_api, channel_availability) && api_->signal != nullptr &&
           api_->channel_availability != nullptr;
  }

  void register_v2_1_routes() {
    route("POST", "/signal", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      const std::string kind = in.at("kind");
      const std::string data = in.contains("data") ? in.at("data").dump() : std::string();
      og_conversation_signal signal;
      std::memset(&signal, 0, sizeof signal);
      signal.struct_size = sizeof signal;
      signal.conversation_id = in.at("conversation_id").get<int64_t>();
      signal.kind = lit(kind);
      signal.data_json = lit(data);
      og_status st = OG_INTERNAL;
      og_error err = OG_ERROR_INIT;
      // Any thread: sent from a plugin thread, as a WebSocket reader thread would.
      on_plugin_thread([&] { st = api_->signal(ctx_, &signal, &err); });
      const json out = {{"status", st}, {"error", st == OG_OK ? "" : err.message}};
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
    route("POST", "/availability", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      std::vector<std::string> names;
      for (const auto& s : in.value("skills", json::array())) names.push_back(s.at(0));
      std::vector<og_skill_requirement> skills;
      for (std::size_t i = 0; i < names.size(); ++i) {
        og_skill_requirement s;
        std::memset(&s, 0, sizeof s);
        s.struct_size = sizeof s;
        s.skill = lit(names[i]);
        s.min_level = in.at("skills").at(i).at(1).get<int32_t>();
        skills.push_back(s);
      }
      og_channel_availability a;
      std::memset(&a, 0, sizeof a);
      a.struct_size = sizeof a;
      og_status st = OG_INTERNAL;
      og_error err = OG_ERROR_INIT;
      on_plugin_thread(
          [&] { st = api_->channel_availability(ctx_, skills.data(), skills.size(), &a, &err); });
      const json out = {{"status", st},
                        {"error", st == OG_OK ? "" : err.message},
                        {"agents_online", a.agents_online},
                        {"agents_free", a.agents_free},
                        {"queued", a.queued},
                        {"expected_wait_ms", a.expected_wait_ms}};
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
  }

  bool has_v2_2() const {
    return OG_HAS_FIELD(api_, og_host_api, customer_lookup) &&
           api_->conversation_action != nullptr && api_->customer_lookup != nullptr;
  }

  void register_v2_2_routes() {
    route("POST", "/action", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      const std::string thread_key = in.value("thread_key", "");
      const std::string agent = in.value("agent_id", "");
      const std::string reason = in.value("reason", "");
      const std::string data = in.contains("data") ? in.at("data").dump() : std::string();
      og_conversation_action a;
      std::memset(&a, 0, sizeof a);
      a.struct_size = sizeof a;
      a.kind = in.at("kind").get<int32_t>();
      a.conversation_id = in.value("conversation_id", int64_t{0});
      a.thread_key = lit(thread_key);
      a.agent_id = lit(agent);
      a.reason = lit(reason);
      a.data_json = lit(data);
      // The completion's key, freed by the completion (it runs exactly once).
      auto* done_key = in.contains("done_key") ? new ActionDone{this, in.at("done_key")} : nullptr;
      og_status st = OG_INTERNAL;
      og_error err = OG_ERROR_INIT;
      on_plugin_thread([&] {
        st = api_->conversation_action(ctx_, &a, done_key ? &ProbePlugin::action_done : nullptr,
                                       done_key, &err);
      });
      if (st != OG_OK) delete done_key;
      const json out = {{"status", st}, {"error", st == OG_OK ? "" : err.message}};
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
    route("POST", "/customer", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      const std::string kind = in.at("kind");
      const std::string address = in.at("address");
      json out = json::object();
      og_status st = OG_INTERNAL;
      og_error err = OG_ERROR_INIT;
      on_plugin_thread([&] {
        st = api_->customer_lookup(
            ctx_, lit(kind), lit(address),
            [](void* user, const og_customer_info* c) {
              *static_cast<json*>(user) = {
                  {"customer_id", c->customer_id},
                  {"display_name", std::string(c->display_name.ptr, c->display_name.len)},
                  {"tier", std::string(c->tier.ptr, c->tier.len)},
                  {"open_conversations", c->open_conversations}};
            },
            &out, &err);
      });
      out["status"] = st;
      out["error"] = st == OG_OK ? "" : err.message;
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
    route("GET", "/commands", [this](const HttpRequest&) {
      return HttpResponse{200, "application/json", commands_.dump(), {}};
    });
  }

  struct ActionDone {
    ProbePlugin* self;
    std::string key;
  };
  // Runs on the strand, once per accepted action (at the latest before destroy).
  static void action_done(void* user, og_status status, int64_t id) {
    std::unique_ptr<ActionDone> done(static_cast<ActionDone*>(user));
    done->self->host().kv_put(done->key, json{{"status", status}, {"id", id}}.dump());
  }

  // A route registered through the C table, with route options and the raw status returned.
  struct RawRoute {
    ProbePlugin* self;
    std::function<og_status(const og_http_request&)> fn;
  };
  static og_status raw_trampoline(void* user, const og_http_request* r) {
    try {
      return static_cast<RawRoute*>(user)->fn(*r);
    } catch (...) {
      return OG_INTERNAL;
    }
  }
  void raw_route(const char* method, const char* path, uint64_t max_body_bytes,
                 uint32_t respond_timeout_ms, std::function<og_status(const og_http_request&)> fn) {
    auto& entry =
        raw_routes_.emplace_back(std::make_unique<RawRoute>(RawRoute{this, std::move(fn)}));
    og_route_options options;
    std::memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.max_body_bytes = max_body_bytes;
    options.respond_timeout_ms = respond_timeout_ms;
    og_error err = OG_ERROR_INIT;
    if (api_->register_http_route(ctx_, lit(method), lit(path), &options, &raw_trampoline,
                                  entry.get(), &err) != OG_OK) {
      throw omnigate::Error(OG_CONFIG, err.message);
    }
  }
  og_status respond_raw(uint64_t request_id, int status, const std::string& body) {
    og_http_response r;
    std::memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.status = status;
    r.content_type = lit("text/plain");
    r.body = lit(body);
    og_error err = OG_ERROR_INIT;
    return api_->respond(ctx_, request_id, &r, &err);
  }
  // Runs fn on a new plugin thread and waits for it: a call from outside every callback.
  template <class Fn>
  void on_plugin_thread(Fn fn) {
    std::thread t(fn);
    t.join();
  }

  void register_v2_routes() {
    // Routes that need no 2.0 host function: on an older host they show its old behaviour.
    raw_route("POST", "/big", 8u * 1024 * 1024, 0, [this](const og_http_request& r) {
      return respond_raw(r.request_id, 200, std::to_string(r.body.len)) == OG_OK ? OG_OK
                                                                                 : OG_INTERNAL;
    });
    raw_route("POST", "/sized", 0, 0, [this](const og_http_request& r) {
      return respond_raw(r.request_id, 200, std::to_string(r.body.len)) == OG_OK ? OG_OK
                                                                                 : OG_INTERNAL;
    });
    // Deferred routes through the C++ wrapper (Host::deferred_route, Host::respond).
    host().deferred_route("POST", "/defer", [this](const HttpRequest& r) {
      Guard guard(*this);
      const json in = json::parse(r.body);
      const uint64_t id = r.id;
      omnigate::InboundMessage m;
      m.provider_message_id = in.at("id");
      m.from_kind = "phone";
      m.from_address = in.at("from");
      m.to_address = "+15550000000";
      m.body_text = in.at("text");
      // After the handler returned: the thread is not joined here.
      threads_.emplace_back([this, id, m] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        try {
          host().submit_inbound(id, m);
          host().respond(id, HttpResponse{200, "text/plain", "deferred\n", {}});
        } catch (const omnigate::Error& e) {
          host().respond(id, HttpResponse{500, "text/plain", e.what(), {}});
        }
      });
    });
    host().deferred_route("POST", "/defer-never",
                          [this](const HttpRequest& r) {
                            Guard guard(*this);
                            host().kv_put("deferred-id", std::to_string(r.id));
                          },
                          {0, 300});
    host().deferred_route("POST", "/defer-hold", [this](const HttpRequest& r) {
      Guard guard(*this);
      host().kv_put("held-id", std::to_string(r.id));
    });
    route("POST", "/respond-late", [this](const HttpRequest& r) {
      const uint64_t id = std::stoull(json::parse(r.body).at("id").get<std::string>());
      og_status st = OG_INTERNAL;
      on_plugin_thread([&] { st = respond_raw(id, 200, "too late\n"); });
      return HttpResponse{200, "text/plain", std::to_string(st), {}};
    });
    raw_route("POST", "/respond-own", 0, 0, [this](const og_http_request& r) {
      on_plugin_thread([&] { respond_raw(r.request_id, 200, "from a plugin thread\n"); });
      return OG_OK;
    });
    route("POST", "/kv-async", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      const std::string key = in.at("key");
      host().kv_put(key, in.at("value").get<std::string>(), [this, key](og_status st) {
        Guard guard(*this);
        host().kv_put(key + ".done", std::to_string(st));
      });
      return HttpResponse{200, "text/plain", host().kv_get(key).value_or("<none>"), {}};
    });
    if (!has_v2()) return;  // a host without post/host_info/metrics: the routes below are 404
    route("GET", "/info", [this](const HttpRequest&) {
      const auto info = host().host_info().value();
      const json out = {{"instance_name", info.instance_name},
                        {"mount_path", info.mount_path},
                        {"public_base_url", info.public_base_url},
                        {"gateway_version", info.gateway_version}};
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
    route("POST", "/post-wrapped", [this](const HttpRequest& r) {
      const std::string key = json::parse(r.body).at("key");
      bool accepted = false;
      // Host::post from a plugin thread; the task writes the thread it ran on as a callback.
      on_plugin_thread([&] {
        accepted = host().post([this, key] {
          Guard guard(*this);
          host().kv_put(key, "ran on the strand");
        });
      });
      return HttpResponse{202, "text/plain", accepted ? "accepted" : "refused", {}};
    });
    route("POST", "/post", [this](const HttpRequest& r) {
      auto* task = new PostTask{this, json::parse(r.body).at("key")};
      og_status st = OG_INTERNAL;
      on_plugin_thread([&] {
        og_error err = OG_ERROR_INIT;
        st = api_->post(ctx_, &PostTask::run, task, &err);
      });
      if (st != OG_OK) delete task;
      return HttpResponse{202, "text/plain", std::to_string(st), {}};
    });
    requests_total_ = host().counter("probe_requests_total", "Requests the probe counted");
    level_ = host().gauge("probe_level", "The probe's level");
    latency_ = host().histogram("probe_latency_seconds", "The probe's latencies");
    metric_checks_ = check_metric_registration();
    route("POST", "/metric", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      on_plugin_thread([&] {
        requests_total_.add(in.at("counter").get<double>());
        level_.set(in.at("gauge").get<double>());
        latency_.observe(in.at("hist").get<double>());
      });
      return HttpResponse{200, "text/plain", "", {}};
    });
    route("GET", "/metric-checks", [this](const HttpRequest&) {
      json out = metric_checks_;
      uint64_t id = 0;
      og_error err = OG_ERROR_INIT;
      out["after_start"] =
          api_->metric_register(ctx_, OG_METRIC_COUNTER, lit("late_total"), lit(""), &id, &err);
      return HttpResponse{200, "application/json", out.dump(), {}};
    });
  }

  json check_metric_registration() {
    const auto reg = [this](og_metric_kind kind, std::string_view name, uint64_t* id = nullptr) {
      uint64_t ignored = 0;
      og_error err = OG_ERROR_INIT;
      return api_->metric_register(ctx_, kind, lit(name), lit("help"), id ? id : &ignored, &err);
    };
    uint64_t first = 0, again = 0;
    reg(OG_METRIC_COUNTER, "probe_checked_total", &first);
    reg(OG_METRIC_COUNTER, "probe_checked_total", &again);
    return {{"same_id", first != 0 && first == again},
            {"kind_mismatch", reg(OG_METRIC_GAUGE, "probe_checked_total")},
            {"bad_name", reg(OG_METRIC_COUNTER, "Bad-Name")},
            {"too_long", reg(OG_METRIC_COUNTER, std::string(65, 'a'))},
            {"longest", reg(OG_METRIC_COUNTER, std::string(64, 'a'))},
            {"host_owned", reg(OG_METRIC_COUNTER, "inbound_total")}};
  }

  // A task a plugin thread hands to post(): on the strand it tries the callback-only
  // http_fetch, whose acceptance proves it runs as a callback.
  struct PostTask {
    ProbePlugin* self;
    std::string key;
    static void run(void* user, int32_t cancelled) {
      std::unique_ptr<PostTask> task(static_cast<PostTask*>(user));
      if (cancelled != 0) return;
      ProbePlugin& p = *task->self;
      Guard guard(p);
      og_status fetch = OG_OK;
      try {
        omnigate::FetchRequest f;
        f.url = "http://192.0.2.1/";  // TEST-NET: never reached, the fetch only has to start
        f.timeout_ms = 100;
        p.host().fetch(f, [](const omnigate::FetchResponse&) {});
      } catch (const omnigate::Error& e) {
        fetch = e.status();
      }
      p.host().kv_put(task->key,
                      "cancelled=" + std::to_string(cancelled) + " fetch=" + std::to_string(fetch));
    }
  };

  static std::string_view query_value(const HttpRequest& r, std::string_view name) {
    std::string_view q = r.query;
    while (!q.empty()) {
      const auto amp = q.find('&');
      const std::string_view pair = q.substr(0, amp);
      if (pair.substr(0, name.size()) == name && pair.size() > name.size() &&
          pair[name.size()] == '=')
        return pair.substr(name.size() + 1);
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
    return {};
  }

  void submit_with(const HttpRequest& r, const json& in, const omnigate::Attachment& a) {
    omnigate::InboundMessage m;
    m.provider_message_id = in.at("id");
    m.from_kind = "phone";
    m.from_address = in.at("from");
    m.to_address = "+15550000000";
    m.body_text = "with an attachment";
    m.raw = std::string(r.body);
    m.attachments.push_back(a);
    host().submit_inbound(r.id, m);
  }

  static json conversation_json(const omnigate::ConversationState& s) {
    return {{"conversation_id", s.conversation_id},
            {"thread_key", s.thread_key},
            {"customer_kind", s.customer_kind},
            {"customer_address", s.customer_address},
            {"status", s.status},
            {"priority", s.priority},
            {"queue_position", s.queue_position},
            {"expected_wait_ms", s.expected_wait_ms},
            {"agent_id", s.agent_id},
            {"agent_display_name", s.agent_display_name},
            {"agent_contact", json::parse(s.agent_contact_json, nullptr, false)}};
  }

  static uint64_t fnv1a(const std::string& bytes) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
  }

  void route(const char* method, const char* path,
             std::function<HttpResponse(const HttpRequest&)> fn) {
    host().route(method, path, [this, fn](const HttpRequest& r) {
      Guard guard(*this);
      return fn(r);
    });
  }

  const og_host_api* api_;
  og_host_ctx* ctx_;
  std::deque<std::unique_ptr<RawRoute>> raw_routes_;
  omnigate::Host::Metric requests_total_, level_, latency_;
  json metric_checks_;
  bool stop_report_ = false;
  std::string stop_post_, stop_kv_ = "none";
  std::atomic<int> active_{0};
  std::atomic<int> overlaps_{0};
  std::map<uint64_t, std::string> timer_keys_;
  json notices_ = json::array();
  json commands_ = json::array();
  std::vector<std::thread> threads_;
};

}  // namespace

OMNIGATE_PLUGIN(ProbePlugin, "probe", "0.1.0", "sms", "plugin host test probe", nullptr)
