// A test plugin that exposes every host service through HTTP routes, so the tests drive the
// host the way a real plugin would — through the C ABI of a dlopen()ed library — and observe
// results through the store (kv, messages). Routes (all under /channels/<instance>):
//   POST /inbound   {"id","from","text"}      submit_inbound tied to the request, 200 "stored"
//   POST /delivery  {"id","state"}            submit_delivery tied to the request
//   POST /event     {"id","kind","from"}      submit_event tied to the request
//   POST /kv        {"key","value"}           kv_put;   GET /kv?key=K → value or 404
//   POST /timer     {"ms","key"}              set_timer; on_timer does kv_put(key, "fired")
//   POST /fetch     {"url","key","private"}   http_fetch; completion does kv_put(key, result JSON)
//   GET  /overlap                             how many times two callbacks ever overlapped
//   WS   /ws   refuses upgrades whose query is "deny"; answers each message with "echo:<msg>";
//              on close does kv_put("ws-closed", "<conn id>")
//   POST /blob      {"chunks":[..],"id","from","filename","content_id","disposition"}
//                   streams the chunks into a blob (BlobWriter) and submits an inbound message
//                   with it attached by reference; 200 with the reference, 413 past the limit
//   POST /blob-ref  {"ref","id","from"}       submits an inbound message attaching `ref`;
//                   400 with the host's reason when refused
//   GET  /blob?ref=R&chunk=N                  the blob read back with blob_read in N-byte
//                   chunks; 404 for a malformed or unknown reference
//   GET  /notices                             every on_conversation notice so far, as JSON
//   GET  /conversation?id=N                   get_conversation as JSON; 404 when not found
// send(): the body text picks the behaviour: "ok", "silent" (never answers), "retry",
// "permanent", "later" (answers from a plugin thread). Attachments sent by reference are read
// back with blob_read in 64 KiB chunks and described in kv "sent-attachment".
#include <omnigate/plugin.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using omnigate::HttpRequest;
using omnigate::HttpResponse;

class ProbePlugin : public omnigate::Plugin {
 public:
  explicit ProbePlugin(const omnigate::PluginContext& ctx) : Plugin(ctx) {
    route("POST", "/inbound", [this](const HttpRequest& r) {
      const json in = json::parse(r.body);
      omnigate::InboundMessage m;
      m.provider_message_id = in.at("id");
      m.from_kind = "phone";
      m.from_address = in.at("from");
      m.to_address = "+15550000000";
      m.body_text = in.at("text");
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
    notices_.push_back(std::move(j));
  }

  ~ProbePlugin() override {
    for (auto& t : threads_) t.join();
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

  std::atomic<int> active_{0};
  std::atomic<int> overlaps_{0};
  std::map<uint64_t, std::string> timer_keys_;
  json notices_ = json::array();
  std::vector<std::thread> threads_;
};

}  // namespace

OMNIGATE_PLUGIN(ProbePlugin, "probe", "0.1.0", "sms", "plugin host test probe", nullptr)
