#include <omnigate/testing/fake_host.hpp>

#include <dlfcn.h>

#include <cstring>
#include <stdexcept>

namespace omnigate::testing {
namespace {

std::string copy(og_str s) {
  return s.len ? std::string(s.ptr, s.len) : std::string();
}

// Copies a struct received across the ABI the way the real host must: by its struct_size.
template <class T>
T copy_struct(const T* from) {
  T out;
  std::memset(&out, 0, sizeof out);
  std::memcpy(&out, from, std::min<size_t>(from->struct_size, sizeof out));
  return out;
}

// The host's header array for a request or fetch response.
std::vector<og_header> header_array(const HeaderList& headers) {
  std::vector<og_header> out;
  for (const auto& [n, v] : headers) {
    og_header h;
    std::memset(&h, 0, sizeof h);
    h.struct_size = sizeof h;
    h.name = {n.data(), n.size()};
    h.value = {v.data(), v.size()};
    out.push_back(h);
  }
  return out;
}

std::vector<RecordedAttachment> copy_attachments(const og_attachment* a, size_t n) {
  std::vector<RecordedAttachment> out;
  for (size_t i = 0; i < n; ++i) {
    auto c = copy_struct(OG_ARRAY_AT(a, og_attachment, i));
    out.push_back({copy(c.filename), copy(c.content_type), copy(c.data), copy(c.url)});
  }
  return out;
}

void fake_log(og_host_ctx* ctx, og_log_level, og_str message) {
  FakeHost::from(ctx).logs.push_back(copy(message));
}

og_status fake_register_http_route(og_host_ctx* ctx, og_str method, og_str path,
                                   const og_route_options*, og_http_handler_fn handler, void* user,
                                   og_error*) {
  FakeHost::from(ctx).routes.push_back({copy(method), copy(path), handler, user});
  return OG_OK;
}

og_status fake_respond(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response,
                       og_error*) {
  auto r = copy_struct(response);
  FakeHost::from(ctx).responses[request_id] = {r.status, copy(r.content_type), copy(r.body)};
  return OG_OK;
}

og_status fake_submit_inbound(og_host_ctx* ctx, uint64_t request_id, const og_inbound_message* m,
                              og_commit_fn, void*, og_error*) {
  auto c = copy_struct(m);
  RecordedInbound r;
  r.request_id = request_id;
  r.provider_message_id = copy(c.provider_message_id);
  r.from_kind = copy(c.from_kind);
  r.from_address = copy(c.from_address);
  r.from_name = copy(c.from_name);
  r.to_address = copy(c.to_address);
  r.thread_key = copy(c.thread_key);
  r.subject = copy(c.subject);
  r.body_text = copy(c.body_text);
  r.raw = copy(c.raw);
  r.metadata_json = copy(c.metadata_json);
  r.attachments = copy_attachments(c.attachments, c.attachment_count);
  for (size_t i = 0; i < c.skill_count; ++i) {
    const auto s = copy_struct(OG_ARRAY_AT(c.skills, og_skill_requirement, i));
    r.skills.emplace_back(copy(s.skill), s.min_level);
  }
  r.priority = c.priority;
  r.flags = c.flags;
  FakeHost::from(ctx).inbound.push_back(std::move(r));
  return OG_OK;
}

og_status fake_submit_delivery(og_host_ctx* ctx, uint64_t request_id,
                               const og_delivery_report* report, og_commit_fn, void*, og_error*) {
  auto c = copy_struct(report);
  FakeHost::from(ctx).deliveries.push_back({request_id, copy(c.provider_message_id), c.state,
                                            copy(c.error_code), copy(c.error_text), copy(c.raw)});
  return OG_OK;
}

void fake_send_result(og_host_ctx* ctx, uint64_t ticket, const og_send_result* result) {
  auto c = copy_struct(result);
  FakeHost::from(ctx).send_results.push_back({ticket, c.status, copy(c.provider_message_id),
                                              copy(c.error_code), copy(c.error_text),
                                              c.retry_after_ms});
}

og_status fake_set_timer(og_host_ctx* ctx, uint32_t delay_ms, uint64_t* timer_id, og_error*) {
  auto& host = FakeHost::from(ctx);
  host.timers.push_back(delay_ms);
  *timer_id = host.timers.size();
  return OG_OK;
}

void fake_cancel_timer(og_host_ctx*, uint64_t) {}

og_status fake_list_unsettled_sends(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                    int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                    void* user, int32_t* count, og_error*) {
  auto& host = FakeHost::from(ctx);
  host.listings.push_back({sent_after_ms, sent_before_ms, after_id, limit});
  int32_t n = 0;
  for (const auto& u : host.unsettled) {
    if (n >= limit) break;
    if (u.outbox_id <= after_id || u.sent_at_ms < sent_after_ms || u.sent_at_ms >= sent_before_ms)
      continue;
    og_unsettled_send s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.outbox_id = u.outbox_id;
    s.state = u.state;
    s.provider_message_id = {u.provider_message_id.data(), u.provider_message_id.size()};
    s.sent_at_ms = u.sent_at_ms;
    visit(user, &s);
    ++n;
  }
  *count = n;
  return OG_OK;
}

og_status fake_http_fetch(og_host_ctx* ctx, const og_fetch_request* request, og_fetch_done_fn done,
                          void* user, uint64_t* fetch_id, og_error*) {
  auto c = copy_struct(request);
  auto& host = FakeHost::from(ctx);
  RecordedFetch f;
  f.id = host.fetches.size() + 1;
  f.method = copy(c.method);
  f.url = copy(c.url);
  f.body = copy(c.body);
  f.basic_auth_user = copy(c.basic_auth_user);
  f.basic_auth_password = copy(c.basic_auth_password);
  for (size_t i = 0; i < c.header_count; ++i) {
    const auto h = copy_struct(OG_ARRAY_AT(c.headers, og_header, i));
    f.headers.emplace_back(copy(h.name), copy(h.value));
  }
  f.timeout_ms = c.timeout_ms;
  f.flags = c.flags;
  f.done = done;
  f.user = user;
  *fetch_id = f.id;
  host.fetches.push_back(std::move(f));
  return OG_OK;
}

}  // namespace

std::string RecordedFetch::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

FakeHost::FakeHost() {
  std::memset(&api_, 0, sizeof api_);
  api_.struct_size = sizeof api_;
  api_.abi_major = OG_ABI_MAJOR;
  api_.abi_minor = OG_ABI_MINOR;
  api_.log = &fake_log;
  api_.register_http_route = &fake_register_http_route;
  api_.respond = &fake_respond;
  api_.submit_inbound = &fake_submit_inbound;
  api_.submit_delivery = &fake_submit_delivery;
  api_.send_result = &fake_send_result;
  api_.http_fetch = &fake_http_fetch;
  api_.set_timer = &fake_set_timer;
  api_.cancel_timer = &fake_cancel_timer;
  api_.list_unsettled_sends = &fake_list_unsettled_sends;
}

LoadedPlugin::LoadedPlugin(const std::string& path, FakeHost& host, const std::string& instance,
                           const std::string& config_json)
    : host_(host), instance_(instance) {
  library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library_) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
  auto entry = reinterpret_cast<og_plugin_entry_fn>(dlsym(library_, OG_PLUGIN_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error("no og_plugin_entry in " + path);
  api_ = entry();
  og_error err = OG_ERROR_INIT;
  create_status_ = api_->create(host.api(), host.ctx(), {instance.data(), instance.size()},
                                {config_json.data(), config_json.size()}, &instance_ptr_, &err);
  create_error_ = err.message;
}

LoadedPlugin::~LoadedPlugin() {
  // Like the real host: every fetch still running completes (cancelled) before destroy().
  for (size_t i = 0; i < host_.fetches.size(); ++i)
    if (!host_.fetches[i].completed) complete_fetch(i, 0, "", {}, "cancelled");
  if (instance_ptr_) api_->destroy(instance_ptr_);
  if (library_) dlclose(library_);
}

RecordedResponse LoadedPlugin::request(const std::string& method, const std::string& path,
                                       const std::string& query, const HeaderList& headers,
                                       const std::string& body) {
  for (const auto& route : host_.routes) {
    if (route.path != path || (!route.method.empty() && route.method != method)) continue;
    const std::vector<og_header> hdrs = header_array(headers);
    std::string target = "/channels/" + instance_ + path + (query.empty() ? "" : "?" + query);
    og_http_request r;
    std::memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.request_id = next_request_id_++;
    r.method = {method.data(), method.size()};
    r.target = {target.data(), target.size()};
    r.path = {path.data(), path.size()};
    r.query = {query.data(), query.size()};
    r.headers = hdrs.data();
    r.header_count = hdrs.size();
    r.body = {body.data(), body.size()};
    r.remote_addr = {"127.0.0.1", 9};
    route.handler(route.user, &r);
    auto it = host_.responses.find(r.request_id);
    if (it == host_.responses.end()) throw std::runtime_error("handler did not respond");
    return it->second;
  }
  throw std::runtime_error("no route for " + method + " " + path);
}

og_status LoadedPlugin::send(uint64_t ticket, const og_outbound_message& message,
                             std::string* error) {
  og_error err = OG_ERROR_INIT;
  og_status st = api_->send_message(instance_ptr_, ticket, &message, &err);
  if (error) *error = err.message;
  return st;
}

og_status LoadedPlugin::lookup(uint64_t ticket, const og_outbound_message& message,
                               int64_t enqueued_at_ms, std::string* error,
                               const std::vector<std::string>& taken) {
  std::vector<og_str> ids;
  for (const auto& id : taken) ids.push_back({id.data(), id.size()});
  og_send_lookup lookup;
  std::memset(&lookup, 0, sizeof lookup);
  lookup.struct_size = sizeof lookup;
  lookup.attempts = 1;
  lookup.enqueued_at_ms = enqueued_at_ms;
  lookup.taken_ids = ids.data();
  lookup.taken_id_count = ids.size();
  og_error err = OG_ERROR_INIT;
  og_status st = api_->lookup_send(instance_ptr_, ticket, &message, &lookup, &err);
  if (error) *error = err.message;
  return st;
}

og_status LoadedPlugin::start(std::string* error) {
  og_error err = OG_ERROR_INIT;
  og_status st = api_->start(instance_ptr_, &err);
  if (error) *error = err.message;
  return st;
}

void LoadedPlugin::fire_timer(uint64_t timer_id) {
  api_->on_timer(instance_ptr_, timer_id);
}

void LoadedPlugin::complete_fetch(size_t index, int http_status, const std::string& body,
                                  const HeaderList& headers, const std::string& error) {
  RecordedFetch& f = host_.fetches.at(index);
  if (f.completed) throw std::logic_error("fetch completed twice");
  f.completed = true;
  const std::vector<og_header> hdrs = header_array(headers);
  og_fetch_response r;
  std::memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  r.http_status = http_status;
  r.headers = hdrs.data();
  r.header_count = hdrs.size();
  r.body = {body.data(), body.size()};
  r.error = {error.data(), error.size()};
  f.done(f.user, f.id, &r);
}

}  // namespace omnigate::testing
