#include "visitor_http.hpp"

#include "json_text.hpp"
#include "protocol.hpp"
#include "widget_script.hpp"

#include <omnigate/common/form.hpp>

#include <algorithm>
#include <chrono>

namespace omnigate::webchat {
namespace {

using nlohmann::json;

constexpr std::size_t kFileChunk = 256 * 1024;
constexpr std::size_t kMaxOfflineBodyBytes = 64 * 1024;

std::string hex_of(std::string_view blob_ref) {
  return std::string(blob_ref.substr(blob_ref.find(':') + 1));
}

std::string query_value(const HttpRequest& r, std::string_view name) {
  const auto fields = form::parse(r.query).fields;
  auto v = form::find(fields, name);
  return v ? std::string(*v) : std::string();
}

// The media type without parameters, lower-cased ("image/png; x=y" → "image/png").
std::string media_type(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t'; }),
          t.end());
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

// A file name fit to show: no path, no control characters, at most 255 bytes. It is only ever
// metadata (Content-Disposition, the transcript), never a path on disk.
std::string display_name(std::string name) {
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name.erase(0, slash + 1);
  name.erase(
      std::remove_if(name.begin(), name.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
      name.end());
  if (name.size() > 255) name.resize(255);
  return name.empty() ? "file" : name;
}

}  // namespace

VisitorHttp::VisitorHttp(const WebchatConfig& config, Host& host, const VisitorTokens& tokens,
                         SessionLog& log)
    : config_(config), host_(host), tokens_(tokens), log_(log) {}

void VisitorHttp::register_routes(const std::string& mount) {
  mount_ = mount;
  host_.route("GET", "/widget.js", [this](const HttpRequest& r) { return widget(r); });
  host_.route("GET", "/status", [this](const HttpRequest& r) { return status(r); });
  host_.route("GET", "/files", [this](const HttpRequest& r) { return file(r); });
  RouteOptions upload_options;
  upload_options.max_body_bytes = config_.max_upload_bytes;
  host_.route(
      "POST", "/uploads", [this](const HttpRequest& r) { return upload(r); }, upload_options);
  RouteOptions offline_options;
  offline_options.max_body_bytes = kMaxOfflineBodyBytes;
  host_.route(
      "POST", "/offline", [this](const HttpRequest& r) { return offline(r); }, offline_options);
  for (const char* path : {"/status", "/files", "/uploads", "/offline"})
    host_.route("OPTIONS", path, [this](const HttpRequest& r) { return preflight(r); });
}

VisitorHttp::Availability VisitorHttp::availability() const {
  if (!config_.service_hours.open_at(std::chrono::system_clock::now()))
    return {false, "closed", -1};
  std::optional<ChannelAvailability> routing;
  try {
    routing = host_.channel_availability(config_.skills);
  } catch (const std::exception& e) {
    host_.warn(std::string("channel_availability: ") + e.what());
  }
  if (!routing) return {};  // a 2.0 host, or routing not ready: the hours decide
  if (routing->agents_online == 0) return {false, "no_agents", -1};
  return {true, "open", routing->expected_wait_ms};
}

std::optional<std::string> VisitorHttp::allowed_origin(const HttpRequest& r) const {
  auto origin = r.header("Origin");
  if (!origin || !config_.origin_allowed(*origin)) return std::nullopt;
  return std::string(*origin);
}

HttpResponse VisitorHttp::json_reply(const HttpRequest& r, int status, const json& body) const {
  HttpResponse out{status, "application/json", json_text(body), {{"Vary", "Origin"}}};
  if (auto origin = allowed_origin(r))
    out.headers.emplace_back("Access-Control-Allow-Origin", *origin);
  return out;
}

HttpResponse VisitorHttp::preflight(const HttpRequest& r) const {
  if (!allowed_origin(r))
    return {403, "application/json", R"({"error":"forbidden","message":"origin not allowed"})", {}};
  auto out = json_reply(r, 204, json::object());
  out.body.clear();
  out.content_type.clear();
  out.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST");
  out.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type");
  out.headers.emplace_back("Access-Control-Max-Age", "600");
  return out;
}

HttpResponse VisitorHttp::widget(const HttpRequest&) const {
  return {200,
          "application/javascript; charset=utf-8",
          std::string(kWidgetScript),
          {{"Cache-Control", "public, max-age=300"},
           {"Cross-Origin-Resource-Policy", "cross-origin"},
           {"X-Content-Type-Options", "nosniff"}}};
}

HttpResponse VisitorHttp::status(const HttpRequest& r) const {
  const auto now = std::chrono::system_clock::now();
  const Availability a = availability();
  json body{{"online", a.online}, {"reason", a.reason}, {"expected_wait_ms", a.expected_wait_ms}};
  if (a.reason == "closed") {
    if (auto next = config_.service_hours.next_opening(now)) {
      body["opens_at"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count();
    }
  }
  body["topics"] = json::array();
  for (const auto& t : config_.topics) body["topics"].push_back({{"id", t.id}, {"label", t.label}});
  return json_reply(r, 200, body);
}

json VisitorHttp::file_entry(const std::string& sha256_hex, const json& meta) const {
  return {{"name", meta.value("name", "file")},
          {"content_type", meta.value("content_type", "application/octet-stream")},
          {"size", meta.value("size", std::uint64_t{0})},
          {"url", mount_ + "/files?sha256=" + sha256_hex}};
}

std::optional<SessionFile> VisitorHttp::session_file(const std::string& session,
                                                     const std::string& sha256_hex) const {
  auto stored = log_.get("f/" + session + "/" + sha256_hex);
  if (!stored) return std::nullopt;
  const json meta = json::parse(*stored, nullptr, false);
  if (!meta.is_object()) return std::nullopt;
  SessionFile f;
  f.attachment.blob_ref = "sha256:" + sha256_hex;
  f.attachment.filename = meta.value("name", "file");
  f.attachment.content_type = meta.value("content_type", "application/octet-stream");
  f.attachment.size = meta.value("size", std::uint64_t{0});
  f.attachment.disposition = "attachment";
  f.entry = file_entry(sha256_hex, meta);
  return f;
}

KeptFile VisitorHttp::keep_agent_file(const std::string& session, const Attachment& a) {
  std::string ref = a.blob_ref;
  std::uint64_t size = a.size;
  if (ref.empty()) {  // small attachments come as bytes: stored so the visitor can fetch them
    Host::BlobWriter writer(host_);
    writer.write(a.data);
    ref = writer.finish(&size);
  }
  const std::string hex = hex_of(ref);
  const json meta{
      {"name", display_name(a.filename)},
      {"content_type", a.content_type.empty() ? "application/octet-stream" : a.content_type},
      {"size", size}};
  return {file_entry(hex, meta), "f/" + session + "/" + hex, json_text(meta)};
}

HttpResponse VisitorHttp::upload(const HttpRequest& r) {
  if (!allowed_origin(r))
    return json_reply(r, 403, {{"error", "forbidden"}, {"message", "origin not allowed"}});
  auto session = tokens_.session_of(query_value(r, "token"));
  if (!session || log_.find(*session) == nullptr)
    return json_reply(r, 401, {{"error", "unauthorized"}, {"message", "unknown visitor token"}});
  const std::string type = media_type(r.header("Content-Type").value_or(""));
  if (std::find(config_.upload_types.begin(), config_.upload_types.end(), type) ==
      config_.upload_types.end())
    return json_reply(r, 415,
                      {{"error", "unsupported_media_type"},
                       {"message", "files of type \"" + type + "\" are not accepted"}});
  if (r.body.empty())
    return json_reply(r, 400, {{"error", "invalid_field"}, {"message", "empty file"}});
  Host::BlobWriter writer(host_);
  for (std::size_t at = 0; at < r.body.size(); at += kFileChunk)
    writer.write(r.body.substr(at, kFileChunk));
  std::uint64_t size = 0;
  const std::string ref = writer.finish(&size);
  const json meta{
      {"name", display_name(query_value(r, "name"))}, {"content_type", type}, {"size", size}};
  log_.put("f/" + *session + "/" + hex_of(ref), json_text(meta));
  return json_reply(
      r, 201, {{"upload", ref}, {"name", meta["name"]}, {"content_type", type}, {"size", size}});
}

HttpResponse VisitorHttp::file(const HttpRequest& r) const {
  const std::string hex = query_value(r, "sha256");
  auto session = tokens_.session_of(query_value(r, "token"));
  const auto not_found = json{{"error", "not_found"}, {"message", "no such file in this chat"}};
  if (!session || !is_sha256_hex(hex)) return json_reply(r, 404, not_found);
  auto f = session_file(*session, hex);
  if (!f) return json_reply(r, 404, not_found);
  std::string body;
  for (;;) {
    auto chunk = host_.blob_read(f->attachment.blob_ref, body.size(), kFileChunk);
    if (!chunk) return json_reply(r, 404, not_found);
    if (chunk->empty()) break;
    body += *chunk;
  }
  HttpResponse out = json_reply(r, 200, json::object());
  out.content_type = f->attachment.content_type;
  out.body = std::move(body);
  out.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename*=UTF-8''" + form::encode_component(f->attachment.filename));
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return out;
}

HttpResponse VisitorHttp::offline(const HttpRequest& r) {
  if (!allowed_origin(r))
    return json_reply(r, 403, {{"error", "forbidden"}, {"message", "origin not allowed"}});
  const json body = json::parse(r.body, nullptr, false);
  auto bad = [&](const std::string& why) {
    return json_reply(r, 400, {{"error", "invalid_field"}, {"message", why}});
  };
  if (!body.is_object()) return bad("the body must be a JSON object");
  auto text = [&](const char* key, std::size_t max) -> std::optional<std::string> {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::string();
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max) return std::nullopt;
    return it->get<std::string>();
  };
  auto name = text("name", 200), email = text("email", 254),
       message = text("message", config_.protocol.max_text_bytes), topic = text("topic", 64),
       token = text("token", 256), id = text("id", 64);
  if (!name || !email || !message || !topic || !token || !id)
    return bad("name, email, message, topic, token and id must be strings within their limits");
  if (!plausible_email(*email)) return bad("email is not an e-mail address");
  if (message->find_first_not_of(" \t\r\n") == std::string::npos) return bad("message is empty");
  // The visitor's session when they have one (replies then show in the widget too); else a new
  // one, whose token the answer carries: the reply is kept there (and e-mailed), never filed
  // under another visitor.
  std::string session, new_token;
  if (auto known = tokens_.session_of(*token); known && log_.find(*known)) session = *known;
  if (session.empty()) {
    new_token = tokens_.issue();
    session = *tokens_.session_of(new_token);
    SessionState initial;
    initial.from_kind = "webchat";
    initial.from_address = session;
    initial.name = *name;
    initial.email = *email;
    log_.create(session, std::move(initial));
  }
  const SessionState& state = *log_.find(session);
  const std::string message_id = id->empty() ? random_hex(8) : *id;
  InboundMessage in;
  in.provider_message_id = "offline:" + session + ":" + message_id;
  in.thread_key = in.provider_message_id;
  in.from_kind = state.from_kind;
  in.from_address = state.from_address;
  in.from_name = *name;
  in.subject = "Offline message from the web chat";
  in.body_text = *message;
  in.raw = std::string(r.body);
  in.skills = config_.skills;
  if (const Topic* t = config_.topic(*topic); t && !t->skill.empty())
    in.skills.push_back({t->skill, t->min_level});
  in.priority = config_.default_priority;
  // The address is the visitor's word only: kept to answer to, never made an identity.
  in.metadata_json =
      json_text({{"offline", true}, {"email_unverified", *email}, {"topic", *topic}});
  log_.put("x/" + in.thread_key, *email);
  // The host answers only once this is committed (503 if it is not: the widget retries).
  host_.submit_inbound(r.id, in);
  json answer{{"ok", true}};
  if (!new_token.empty()) answer["token"] = new_token;
  return json_reply(r, 202, answer);
}

}  // namespace omnigate::webchat
