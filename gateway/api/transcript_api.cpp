#include "api/transcript_api.hpp"

#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "qa_text/transcript_export.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

constexpr int kDefaultSearchLimit = 20;
constexpr std::size_t kMaxSearchBytes = 200;

json hit_json(const store::TranscriptHit& hit, const std::optional<store::Conversation>& c) {
  json snippet = json::array();
  for (const auto& part : hit.snippet)
    snippet.push_back({{"text", part.text}, {"match", part.match}});
  return {{"conversation", c ? conversation_json(*c) : json(nullptr)},
          {"message_id", hit.message_id},
          {"snippet", std::move(snippet)}};
}

}  // namespace

struct TranscriptApi::Impl {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  void audit(const Caller& c, const http::Request& req, std::string action, std::string object,
             json detail = json::object()) {
    store.audit({c.user.name, std::move(action), std::move(object), req.remote_addr, detail.dump(),
                 now_ms()},
                [](store::Outcome<store::Nothing>) {});
  }

  void search(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto q = req.query_param("q");
    if (!q || q->empty()) return reply(error_response(400, "missing_field", "q is required", "q"));
    if (q->size() > kMaxSearchBytes)
      return reply(error_response(
          413, "too_long", "q is longer than " + std::to_string(kMaxSearchBytes) + " bytes", "q"));
    int limit = kDefaultSearchLimit;
    if (auto v = req.query_param("limit")) {
      const auto n = parse_list_limit(*v);
      if (!n)
        return reply(error_response(400, "invalid_field",
                                    "limit must be 1.." + std::to_string(kMaxListLimit), "limit"));
      limit = *n;
    }
    json results = json::array();
    for (const auto& hit : store.search_transcripts(*q, limit))
      results.push_back(hit_json(hit, store.get_conversation(hit.conversation_id)));
    // The hits are transcripts read. The words are kept as their SHA-256 only: an audit row
    // cannot be changed, so the words themselves (a customer's name, an order) would outlive that
    // customer's erasure; the hash still proves whether given words were searched.
    audit(c, req, "transcript.search", "transcripts",
          {{"q_sha256", sha256_hex(*q)}, {"hits", results.size()}});
    reply(json_response(200, {{"results", std::move(results)}}));
  }

  void export_conversation(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto format = qa_text::export_format_from(req.query_param("format").value_or("jsonl"));
    if (!format)
      return reply(
          error_response(400, "invalid_field", "format must be jsonl, text or html", "format"));
    const auto conversation = store.get_conversation(*id);
    if (!conversation)
      return reply(error_response(404, "not_found", "no conversation " + std::to_string(*id)));
    const std::string object = "conversation:" + std::to_string(*id);
    audit(c, req, "transcript.read", object);
    audit(c, req, "report.export", object,
          {{"format", req.query_param("format").value_or("jsonl")}});
    http::Response response;
    response.status = 200;
    response.content_type = qa_text::export_content_type(*format);
    response.body = qa_text::export_transcript(*conversation, store.transcript(*id), *format);
    response.headers.push_back(
        {"Content-Disposition", "attachment; filename=\"conversation-" + std::to_string(*id) + "." +
                                    qa_text::export_extension(*format) + "\""});
    reply(std::move(response));
  }
};

TranscriptApi::TranscriptApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {}

TranscriptApi::~TranscriptApi() = default;

void TranscriptApi::register_routes(http::Router& router) {
  const std::initializer_list<store::Role> qa_roles{store::Role::qa, store::Role::supervisor,
                                                    store::Role::admin};
  router.add("GET", "/api/v1/transcripts/search", guarded_method(impl_, qa_roles, &Impl::search));
  router.add("GET", "/api/v1/conversations/{id}/export",
             guarded_method(impl_, qa_roles, &Impl::export_conversation));
}

}  // namespace omnigate::api
