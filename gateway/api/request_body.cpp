#include "api/request_body.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>

namespace omnigate::api {

namespace {

using nlohmann::json;

BodyError error(std::string code, std::string message, std::string field = {}, int status = 400) {
  return {status, std::move(code), std::move(message), std::move(field)};
}

// Parses `body` as one JSON object whose keys are all in `allowed`.
std::optional<json> parse_object(std::string_view body,
                                 std::initializer_list<std::string_view> allowed, BodyError& err) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    err = error("bad_json", "request body is not valid JSON");
    return std::nullopt;
  }
  if (!j.is_object()) {
    err = error("bad_json", "request body must be a JSON object");
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      err = error("unknown_field", "unknown field \"" + key + "\"", key);
      return std::nullopt;
    }
  }
  return j;
}

// An optional string member; false (with err set) when present but not a string.
bool read_string(const json& j, const std::string& field, std::string& out, BodyError& err,
                 const std::string& path = {}) {
  const auto it = j.find(field);
  if (it == j.end() || it->is_null()) return true;
  const std::string name = path.empty() ? field : path + "." + field;
  if (!it->is_string()) {
    err = error("invalid_field", name + " must be a string", name);
    return false;
  }
  out = it->get<std::string>();
  return true;
}

template <class T>
Parsed<T> fail(BodyError err) {
  return {std::nullopt, std::move(err)};
}

}  // namespace

Parsed<ReplyBody> parse_reply_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"text", "html", "subject", "attachments"}, err);
  if (!j) return fail<ReplyBody>(err);
  ReplyBody reply;
  if (!read_string(*j, "text", reply.text, err) || !read_string(*j, "html", reply.html, err) ||
      !read_string(*j, "subject", reply.subject, err))
    return fail<ReplyBody>(err);
  if (reply.text.empty() && reply.html.empty())
    return fail<ReplyBody>(error("missing_field", "text must not be empty", "text"));
  if (reply.text.size() > kMaxReplyTextBytes || reply.html.size() > kMaxReplyTextBytes) {
    const char* field = reply.text.size() > kMaxReplyTextBytes ? "text" : "html";
    return fail<ReplyBody>(error(
        "too_long",
        std::string(field) + " is longer than " + std::to_string(kMaxReplyTextBytes) + " bytes",
        field, 413));
  }
  if (const auto it = j->find("attachments"); it != j->end() && !it->is_null()) {
    if (!it->is_array())
      return fail<ReplyBody>(error("invalid_field", "attachments must be an array", "attachments"));
    if (it->size() > kMaxReplyAttachments)
      return fail<ReplyBody>(error("invalid_field",
                                   "attachments: at most " + std::to_string(kMaxReplyAttachments),
                                   "attachments"));
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string path = "attachments[" + std::to_string(i) + "]";
      const auto& a = (*it)[i];
      if (!a.is_object())
        return fail<ReplyBody>(error("invalid_field", path + " must be an object", path));
      for (const auto& [key, value] : a.items())
        if (key != "filename" && key != "content_type" && key != "url")
          return fail<ReplyBody>(error(
              "unknown_field", "unknown field \"" + path + "." + key + "\"", path + "." + key));
      store::AttachmentRecord rec;
      if (!read_string(a, "filename", rec.filename, err, path) ||
          !read_string(a, "content_type", rec.content_type, err, path) ||
          !read_string(a, "url", rec.url, err, path))
        return fail<ReplyBody>(err);
      // Only links the provider can fetch; no local paths, no other schemes.
      if (rec.url.rfind("https://", 0) != 0 && rec.url.rfind("http://", 0) != 0)
        return fail<ReplyBody>(
            error("invalid_field", path + ".url must be an http(s) URL", path + ".url"));
      reply.attachments.push_back(std::move(rec));
    }
  }
  return {std::move(reply), {}};
}

Parsed<TransferBody> parse_transfer_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"agent_id", "team"}, err);
  if (!j) return fail<TransferBody>(err);
  TransferBody t;
  if (!read_string(*j, "agent_id", t.agent_id, err) || !read_string(*j, "team", t.team, err))
    return fail<TransferBody>(err);
  if (t.agent_id.empty() == t.team.empty())
    return fail<TransferBody>(
        error("missing_field", "exactly one of agent_id or team must be given", "agent_id"));
  return {std::move(t), {}};
}

Parsed<store::Presence> parse_presence_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"presence"}, err);
  if (!j) return fail<store::Presence>(err);
  std::string name;
  if (!read_string(*j, "presence", name, err)) return fail<store::Presence>(err);
  if (name.empty())
    return fail<store::Presence>(error("missing_field", "presence is required", "presence"));
  const auto p = store::presence_from_string(name);
  if (!p)
    return fail<store::Presence>(
        error("invalid_field", "presence must be one of online, busy, away, offline", "presence"));
  return {*p, {}};
}

Parsed<std::string> parse_routing_reload_body(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return fail<std::string>(error("bad_json", "request body is not valid JSON"));
  if (!j.is_object())
    return fail<std::string>(
        error("bad_json", "request body must be the [routing] table as a JSON object"));
  return {j.dump(), {}};
}

}  // namespace omnigate::api
