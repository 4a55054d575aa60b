#include "api/request_body.hpp"
#include "api/token_scopes.hpp"

#include "config/config.hpp"

#include "routing_specs/routing_specs.hpp"
#include "store/attachment_files.hpp"

#include <omnigate/utf8.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <set>
#include <vector>

namespace omnigate::api {

namespace {

using nlohmann::json;

BodyError error(std::string code, std::string message, std::string field = {}, int status = 400) {
  return {status, std::move(code), std::move(message), std::move(field)};
}

// Parses `body` as JSON, refusing what the parser would let through but a body should not
// carry: a byte order mark (RFC 8259 forbids sending one; the parser skips it), a key twice in
// one object (the parser keeps one of the two, so the other would be silently ignored) and
// \u0000 in a string or key (ends the text early in C strings and SQLite functions).
std::optional<json> parse_json(std::string_view body, BodyError& err) {
  if (body.starts_with("\xEF\xBB\xBF")) {
    err =
        error("bad_json",
              "request body starts with a UTF-8 byte order mark (EF BB BF); send JSON without it");
    return std::nullopt;
  }
  std::vector<std::set<std::string>> open_objects;  // keys seen so far, innermost last
  std::optional<BodyError> refused;
  const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    if (refused) return true;
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (key.find('\0') != std::string::npos)
          refused = error("bad_json", "a key contains \\u0000 (NUL), which is not accepted");
        else if (!open_objects.empty() && !open_objects.back().insert(key).second)
          refused = error("bad_json", "duplicate key \"" + key + "\" in a JSON object");
        break;
      }
      case json::parse_event_t::value:
        if (parsed.is_string() &&
            parsed.get_ref<const std::string&>().find('\0') != std::string::npos)
          refused = error("bad_json", "a string contains \\u0000 (NUL), which is not accepted");
        break;
      default:
        break;
    }
    return true;
  };
  json j = json::parse(body.begin(), body.end(), check, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    err = error("bad_json", "request body is not valid JSON");
    return std::nullopt;
  }
  if (refused) {
    err = std::move(*refused);
    return std::nullopt;
  }
  return j;
}

// Parses `body` as one JSON object whose keys are all in `allowed`.
std::optional<json> parse_object(std::string_view body,
                                 std::initializer_list<std::string_view> allowed, BodyError& err) {
  auto parsed = parse_json(body, err);
  if (!parsed) return std::nullopt;
  json j = std::move(*parsed);
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

constexpr std::string_view kDefaultContentType = "application/octet-stream";

// A file name shown to the customer and written into MIME headers: 1..255 bytes of UTF-8
// without control characters (a CR or LF would end a header line, a NUL a C string). Only ever
// metadata, never part of a path, so '/' and ".." are just text.
bool is_attachment_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxAttachmentNameBytes && utf8::is_valid(name) &&
         std::none_of(name.begin(), name.end(), [](char ch) {
           const auto byte = static_cast<unsigned char>(ch);
           return byte < 0x20 || byte == 0x7F;
         });
}

// type/subtype[; parameters], printable ASCII, at most 255 bytes: what a MIME header carries.
bool is_content_type(std::string_view type) {
  if (type.empty() || type.size() > kMaxAttachmentNameBytes ||
      !std::all_of(type.begin(), type.end(), [](char ch) { return ch >= ' ' && ch <= '~'; }))
    return false;
  const auto media = type.substr(0, type.find(';'));
  const auto slash = media.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < media.size() &&
         media.find_first_of(" \t", 0) == std::string_view::npos;
}

// A reply attachment naming an uploaded file by its sha256 (lower-cased here): it needs a name,
// a content type (octet-stream when none), and no url beside it.
bool read_uploaded_attachment(store::AttachmentRecord& rec, const std::string& path,
                              BodyError& err) {
  if (!rec.url.empty()) {
    err = error("invalid_field", path + ": give either url or sha256, not both", path + ".sha256");
    return false;
  }
  std::transform(rec.blob_sha256.begin(), rec.blob_sha256.end(), rec.blob_sha256.begin(),
                 [](char ch) { return ch >= 'A' && ch <= 'F' ? static_cast<char>(ch + 32) : ch; });
  if (!store::is_sha256_hex(rec.blob_sha256)) {
    err = error("invalid_field",
                path + ".sha256 must be 64 hex digits (the sha256 POST /attachments answered)",
                path + ".sha256");
    return false;
  }
  if (rec.filename.empty()) {
    err = error("missing_field", path + ".filename is required with sha256", path + ".filename");
    return false;
  }
  if (!is_attachment_name(rec.filename)) {
    err = error("invalid_field",
                path + ".filename must be 1..255 bytes of UTF-8 without control characters",
                path + ".filename");
    return false;
  }
  if (rec.content_type.empty()) rec.content_type = kDefaultContentType;
  if (!is_content_type(rec.content_type)) {
    err = error("invalid_field", path + ".content_type must be type/subtype (at most 255 bytes)",
                path + ".content_type");
    return false;
  }
  return true;
}

}  // namespace

std::optional<json> parse_body_object(std::string_view body,
                                      std::initializer_list<std::string_view> allowed,
                                      BodyError& err) {
  return parse_object(body, allowed, err);
}

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
        if (key != "filename" && key != "content_type" && key != "url" && key != "sha256")
          return fail<ReplyBody>(error(
              "unknown_field", "unknown field \"" + path + "." + key + "\"", path + "." + key));
      store::AttachmentRecord rec;
      if (!read_string(a, "filename", rec.filename, err, path) ||
          !read_string(a, "content_type", rec.content_type, err, path) ||
          !read_string(a, "url", rec.url, err, path) ||
          !read_string(a, "sha256", rec.blob_sha256, err, path))
        return fail<ReplyBody>(err);
      if (!rec.blob_sha256.empty()) {
        if (!read_uploaded_attachment(rec, path, err)) return fail<ReplyBody>(err);
      } else if (rec.url.rfind("https://", 0) != 0 && rec.url.rfind("http://", 0) != 0) {
        // Only links the provider can fetch; no local paths, no other schemes.
        return fail<ReplyBody>(
            error("invalid_field", path + ".url must be an http(s) URL, or give sha256 (an upload)",
                  path + ".url"));
      }
      reply.attachments.push_back(std::move(rec));
    }
  }
  return {std::move(reply), {}};
}

Parsed<UploadMeta> parse_upload_meta(const std::optional<std::string>& filename,
                                     std::optional<std::string_view> content_type) {
  if (!filename || filename->empty())
    return fail<UploadMeta>(
        error("missing_field", "filename is required: the query parameter ?filename=", "filename"));
  if (!is_attachment_name(*filename))
    return fail<UploadMeta>(
        error("invalid_field", "filename must be 1..255 bytes of UTF-8 without control characters",
              "filename"));
  UploadMeta meta;
  meta.filename = *filename;
  meta.content_type = content_type && !content_type->empty() ? std::string(*content_type)
                                                             : std::string(kDefaultContentType);
  if (!is_content_type(meta.content_type))
    return fail<UploadMeta>(error(
        "invalid_field", "Content-Type must be type/subtype (at most 255 bytes)", "Content-Type"));
  return {std::move(meta), {}};
}

Parsed<CommandBody> parse_command_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"command", "data"}, err);
  if (!j) return fail<CommandBody>(err);
  CommandBody c;
  if (!read_string(*j, "command", c.command, err)) return fail<CommandBody>(err);
  if (c.command.empty())
    return fail<CommandBody>(error("missing_field", "command is required", "command"));
  const bool command_ok =
      c.command.size() <= 32 && std::all_of(c.command.begin(), c.command.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '.';
      });
  if (!command_ok)
    return fail<CommandBody>(
        error("invalid_field", "command must be 1..32 of a-z, '_' and '.'", "command"));
  if (auto it = j->find("data"); it != j->end()) {
    if (!it->is_object())
      return fail<CommandBody>(error("invalid_field", "data must be a JSON object", "data"));
    c.data_json = it->dump();
  }
  return {std::move(c), {}};
}

Parsed<TransferBody> parse_transfer_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"agent_id", "team", "mode"}, err);
  if (!j) return fail<TransferBody>(err);
  TransferBody t;
  std::string mode = "cold";
  if (!read_string(*j, "agent_id", t.agent_id, err) || !read_string(*j, "team", t.team, err) ||
      !read_string(*j, "mode", mode, err))
    return fail<TransferBody>(err);
  if (t.agent_id.empty() == t.team.empty())
    return fail<TransferBody>(
        error("missing_field", "exactly one of agent_id or team must be given", "agent_id"));
  if (mode != "cold" && mode != "warm")
    return fail<TransferBody>(error("invalid_field", "mode must be cold or warm", "mode"));
  t.warm = mode == "warm";
  if (t.warm && t.agent_id.empty())
    return fail<TransferBody>(
        error("invalid_field", "a warm transfer goes to an agent, not a team", "mode"));
  return {std::move(t), {}};
}

namespace {

// A string member of at most kMaxClassificationTextChars characters (UTF-8 code points: the
// JSON parser has already refused invalid UTF-8); `required`: present and not empty.
bool read_classification_text(const json& j, const std::string& field, bool required,
                              std::string& out, BodyError& err) {
  if (!read_string(j, field, out, err)) return false;
  if (required && out.empty()) {
    err = error("missing_field", field + " is required", field);
    return false;
  }
  const auto chars = std::count_if(out.begin(), out.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  });
  if (static_cast<std::size_t>(chars) <= kMaxClassificationTextChars) return true;
  err = error(
      "too_long",
      field + " is longer than " + std::to_string(kMaxClassificationTextChars) + " characters",
      field, 413);
  return false;
}

}  // namespace

Parsed<PriorityBody> parse_priority_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"priority", "reason"}, err);
  if (!j) return fail<PriorityBody>(err);
  const auto it = j->find("priority");
  if (it == j->end() || it->is_null())
    return fail<PriorityBody>(error("missing_field", "priority is required", "priority"));
  if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 4)
    return fail<PriorityBody>(
        error("invalid_field", "priority must be an integer 1..4 (1 = most urgent)", "priority"));
  PriorityBody p;
  p.priority = it->get<int>();
  if (!read_classification_text(*j, "reason", true, p.reason, err)) return fail<PriorityBody>(err);
  return {std::move(p), {}};
}

Parsed<ComplaintBody> parse_complaint_body(std::string_view body, ComplaintConversation where) {
  BodyError err;
  const bool in_body = where == ComplaintConversation::in_body;
  auto j =
      in_body
          ? parse_object(
                body,
                {"conversation_id", "matter", "contact", "complainant", "channel", "severity"}, err)
          : parse_object(body, {"matter", "contact", "complainant", "channel", "severity"}, err);
  if (!j) return fail<ComplaintBody>(err);
  ComplaintBody c;
  if (in_body) {
    const auto it = j->find("conversation_id");
    if (it == j->end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0)
      return fail<ComplaintBody>(
          error("invalid_field", "conversation_id must be a positive integer", "conversation_id"));
    c.conversation_id = it->get<store::Id>();
  }
  std::string severity;
  if (!read_classification_text(*j, "matter", true, c.matter, err) ||
      !read_classification_text(*j, "contact", false, c.contact, err) ||
      !read_classification_text(*j, "complainant", false, c.complainant, err) ||
      !read_classification_text(*j, "channel", false, c.channel, err) ||
      !read_string(*j, "severity", severity, err))
    return fail<ComplaintBody>(err);
  if (!severity.empty() && severity != "normal" && severity != "major")
    return fail<ComplaintBody>(
        error("invalid_field", "severity must be normal or major", "severity"));
  c.major = severity == "major";
  return {std::move(c), {}};
}

Parsed<ContactLogBody> parse_contact_log_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"classification", "note"}, err);
  if (!j) return fail<ContactLogBody>(err);
  ContactLogBody c;
  if (!read_classification_text(*j, "classification", true, c.classification, err) ||
      !read_classification_text(*j, "note", false, c.note, err))
    return fail<ContactLogBody>(err);
  return {std::move(c), {}};
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
  BodyError err;
  const auto j = parse_json(body, err);
  if (!j) return fail<std::string>(err);
  if (!j->is_object())
    return fail<std::string>(
        error("bad_json", "request body must be the [routing] table as a JSON object"));
  return {j->dump(), {}};
}

namespace {

constexpr std::size_t kMaxLabelBytes = 64;         // team, skill names
constexpr std::size_t kMaxDisplayNameBytes = 256;  // people's and customers' names
constexpr int kMaxCapacity = 100;                  // per channel kind and total

// An optional string member of at most `max` bytes.
bool read_bounded(const json& j, const std::string& field, std::size_t max, std::string& out,
                  BodyError& err) {
  if (!read_string(j, field, out, err)) return false;
  if (out.size() <= max) return true;
  err = error("too_long", field + " is longer than " + std::to_string(max) + " bytes", field, 413);
  return false;
}

bool read_person_name(const json& j, const std::string& field, bool required, std::string& out,
                      BodyError& err) {
  if (!read_string(j, field, out, err)) return false;
  if (out.empty()) {
    if (!required) return true;
    err = error("missing_field", field + " is required", field);
    return false;
  }
  if (config::is_person_name(out)) return true;
  err = error("invalid_field", field + " must be 1..64 letters, digits, '_', '-', '.', '@'", field);
  return false;
}

bool read_skills(const json& j, std::vector<store::SkillLevel>& out, BodyError& err) {
  const auto it = j.find("skills");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_array()) {
    err = error("invalid_field", "skills must be an array", "skills");
    return false;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = "skills[" + std::to_string(i) + "]";
    const auto& s = (*it)[i];
    if (!s.is_object() || s.size() != 2 || !s.contains("skill") || !s.contains("level")) {
      err = error("invalid_field", path + " must be {\"skill\": name, \"level\": 1..5}", path);
      return false;
    }
    const auto& name = s["skill"];
    const auto& level = s["level"];
    if (!name.is_string() || name.get<std::string>().empty() ||
        name.get<std::string>().size() > kMaxLabelBytes) {
      err = error("invalid_field", path + ".skill must be a name of 1..64 bytes", path + ".skill");
      return false;
    }
    if (!level.is_number_integer() || level.get<std::int64_t>() < 1 ||
        level.get<std::int64_t>() > 5) {
      err = error("invalid_field", path + ".level must be an integer 1..5", path + ".level");
      return false;
    }
    if (!seen.insert(name.get<std::string>()).second) {
      err = error("invalid_field", path + ".skill repeats " + name.get<std::string>(),
                  path + ".skill");
      return false;
    }
    out.push_back({name.get<std::string>(), level.get<int>()});
  }
  return true;
}

bool read_tiers(const json& j, std::vector<store::Tier>& out, BodyError& err) {
  const auto it = j.find("tiers");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_array()) {
    err = error("invalid_field", "tiers must be an array of S, A, B, C", "tiers");
    return false;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = "tiers[" + std::to_string(i) + "]";
    const auto& t = (*it)[i];
    const auto tier = t.is_string() ? store::tier_from_string(t.get<std::string>()) : std::nullopt;
    if (!tier || std::find(out.begin(), out.end(), *tier) != out.end()) {
      err = error("invalid_field", path + " must be one of S, A, B, C, each once", path);
      return false;
    }
    out.push_back(*tier);
  }
  return true;
}

bool read_capacity(const json& j, std::map<std::string, int>& out, BodyError& err) {
  const auto it = j.find("capacity");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_object()) {
    err = error("invalid_field", "capacity must be an object", "capacity");
    return false;
  }
  for (const auto& [kind, n] : it->items()) {
    const std::string path = "capacity." + kind;
    // Any plugin's channel kind; "total" is the agent's cap across kinds (the routing engine's
    // total_capacity); "default" belongs to the routing policy alone.
    if (kind == routing_specs::kDefaultCapacityKey) {
      err = error("invalid_field",
                  path +
                      ": the capacity for kinds nobody names is the routing policy's "
                      "routing.capacity.default, not an agent's",
                  path);
      return false;
    }
    if (kind.empty() || kind.size() > kMaxLabelBytes) {
      err = error("invalid_field", "capacity keys must be channel kinds of 1..64 bytes", path);
      return false;
    }
    if (!n.is_number_integer() || n.get<std::int64_t>() < 0 ||
        n.get<std::int64_t>() > kMaxCapacity) {
      err = error("invalid_field", path + " must be an integer 0.." + std::to_string(kMaxCapacity),
                  path);
      return false;
    }
    out[kind] = n.get<int>();
  }
  return true;
}

// An agent's contact fields: an object of at most 16 strings of up to 256 bytes each (a phone
// number, a SIP address, an extension), passed to channel plugins as agent_contact_json.
bool read_contact(const json& j, std::string& out, BodyError& err) {
  constexpr std::size_t kMaxContactFields = 16;
  constexpr std::size_t kMaxContactBytes = 256;
  const auto it = j.find("contact");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_object() || it->size() > kMaxContactFields) {
    err = error("invalid_field", "contact must be an object of at most 16 fields", "contact");
    return false;
  }
  for (const auto& [key, value] : it->items()) {
    const std::string path = "contact." + key;
    if (key.empty() || key.size() > kMaxLabelBytes) {
      err = error("invalid_field", "contact keys must be 1..64 bytes", path);
      return false;
    }
    if (!value.is_string() || value.get_ref<const std::string&>().size() > kMaxContactBytes) {
      err = error("invalid_field", path + " must be a string of at most 256 bytes", path);
      return false;
    }
  }
  out = it->dump();
  return true;
}

}  // namespace

std::optional<store::Id> parse_path_id(std::string_view text) {
  store::Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<int> parse_list_limit(std::string_view text, int most) {
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > most)
    return std::nullopt;
  return n;
}

Parsed<store::Agent> parse_agent_body(std::string_view body, bool with_id) {
  BodyError err;
  auto j =
      with_id
          ? parse_object(
                body, {"id", "display_name", "team", "skills", "tiers", "capacity", "contact"}, err)
          : parse_object(body, {"display_name", "team", "skills", "tiers", "capacity", "contact"},
                         err);
  if (!j) return fail<store::Agent>(err);
  store::Agent a;
  if ((with_id && !read_person_name(*j, "id", true, a.id, err)) ||
      !read_bounded(*j, "display_name", kMaxDisplayNameBytes, a.display_name, err) ||
      !read_bounded(*j, "team", kMaxLabelBytes, a.team, err) || !read_skills(*j, a.skills, err) ||
      !read_tiers(*j, a.tiers, err) || !read_capacity(*j, a.capacity, err) ||
      !read_contact(*j, a.contact_json, err))
    return fail<store::Agent>(err);
  return {std::move(a), {}};
}

Parsed<store::User> parse_user_body(std::string_view body, bool with_name) {
  BodyError err;
  auto j = with_name ? parse_object(body, {"name", "role", "roles", "agent_id"}, err)
                     : parse_object(body, {"role", "roles", "agent_id"}, err);
  if (!j) return fail<store::User>(err);
  store::User u;
  std::string role, agent_id;
  if ((with_name && !read_person_name(*j, "name", true, u.name, err)) ||
      !read_string(*j, "role", role, err) ||
      !read_person_name(*j, "agent_id", false, agent_id, err))
    return fail<store::User>(err);
  constexpr const char* kRoleNames = "agent, supervisor, qa, admin";
  std::vector<std::string> names;
  if (const auto roles = j->find("roles"); roles != j->end()) {
    if (!role.empty())
      return fail<store::User>(error("invalid_field", "give role or roles, not both", "roles"));
    if (!roles->is_array() || roles->empty())
      return fail<store::User>(
          error("invalid_field", std::string("roles must be a non-empty array of ") + kRoleNames,
                "roles"));
    for (const auto& r : *roles) {
      if (!r.is_string())
        return fail<store::User>(error("invalid_field", "roles must hold strings", "roles"));
      names.push_back(r.get<std::string>());
    }
  } else if (!role.empty()) {
    names.push_back(role);
  } else {
    return fail<store::User>(error("missing_field", "role or roles is required", "role"));
  }
  u.roles.clear();
  const char* field = j->contains("roles") ? "roles" : "role";
  for (const auto& name : names) {
    const auto parsed = store::role_from_string(name);
    if (!parsed)
      return fail<store::User>(
          error("invalid_field", std::string(field) + " must be one of " + kRoleNames, field));
    u.roles.push_back(*parsed);
  }
  u.roles = store::normalised_roles(std::move(u.roles));
  if (u.has_role(store::Role::agent) && agent_id.empty())
    return fail<store::User>(
        error("missing_field", "a user with role agent needs an agent_id", "agent_id"));
  if (!agent_id.empty()) u.agent_id = agent_id;
  return {std::move(u), {}};
}

Parsed<LoginBody> parse_login_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"name", "password"}, err);
  if (!j) return fail<LoginBody>(err);
  LoginBody b;
  if (!read_string(*j, "name", b.name, err) || !read_string(*j, "password", b.password, err))
    return fail<LoginBody>(err);
  if (b.name.empty()) return fail<LoginBody>(error("missing_field", "name is required", "name"));
  if (b.password.empty())
    return fail<LoginBody>(error("missing_field", "password is required", "password"));
  if (b.password.size() > kMaxPasswordBytes)
    return fail<LoginBody>(error("too_long", "password is at most 1024 bytes", "password"));
  return {std::move(b), {}};
}

Parsed<PasswordBody> parse_password_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"password", "old_password"}, err);
  if (!j) return fail<PasswordBody>(err);
  PasswordBody b;
  if (!read_string(*j, "password", b.password, err) ||
      !read_string(*j, "old_password", b.old_password, err))
    return fail<PasswordBody>(err);
  if (b.password.empty())
    return fail<PasswordBody>(error("missing_field", "password is required", "password"));
  if (b.password.size() < kMinPasswordBytes || b.password.size() > kMaxPasswordBytes)
    return fail<PasswordBody>(error("invalid_field", "password must be 8..1024 bytes", "password"));
  if (b.old_password.size() > kMaxPasswordBytes)
    return fail<PasswordBody>(
        error("too_long", "old_password is at most 1024 bytes", "old_password"));
  return {std::move(b), {}};
}

Parsed<TokenBody> parse_token_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(body, {"label", "scopes"}, err);
  if (!j) return fail<TokenBody>(err);
  TokenBody b;
  if (!read_bounded(*j, "label", kMaxLabelBytes, b.label, err)) return fail<TokenBody>(err);
  if (b.label.empty()) return fail<TokenBody>(error("missing_field", "label is required", "label"));
  const auto scopes = j->find("scopes");
  if (scopes == j->end() || !scopes->is_array() || scopes->empty())
    return fail<TokenBody>(error("missing_field",
                                 "scopes must be a non-empty array of conversations:read, "
                                 "messages:write, admin",
                                 "scopes"));
  for (const auto& scope : *scopes) {
    if (!scope.is_string() || !is_token_scope(scope.get<std::string>()))
      return fail<TokenBody>(error("invalid_field",
                                   "scopes must be among conversations:read, messages:write, admin",
                                   "scopes"));
    b.scopes.push_back(scope.get<std::string>());
  }
  std::sort(b.scopes.begin(), b.scopes.end());
  b.scopes.erase(std::unique(b.scopes.begin(), b.scopes.end()), b.scopes.end());
  return {std::move(b), {}};
}

Parsed<store::CustomerUpdate> parse_customer_patch_body(std::string_view body) {
  BodyError err;
  auto j = parse_object(
      body, {"display_name", "tier", "account_team", "account_manager", "attributes"}, err);
  if (!j) return fail<store::CustomerUpdate>(err);
  if (j->empty())
    return fail<store::CustomerUpdate>(error(
        "missing_field",
        "give at least one of display_name, tier, account_team, account_manager, attributes"));
  store::CustomerUpdate u;
  std::string text;
  // null is not a value here: clearing a text field is "", and attributes {}.
  for (const auto& [key, value] : j->items())
    if (value.is_null())
      return fail<store::CustomerUpdate>(error("invalid_field", key + " must not be null", key));
  if (j->contains("display_name")) {
    if (!read_bounded(*j, "display_name", kMaxDisplayNameBytes, text, err))
      return fail<store::CustomerUpdate>(err);
    u.display_name = text;
  }
  if (j->contains("tier")) {
    if (!read_string(*j, "tier", text, err)) return fail<store::CustomerUpdate>(err);
    u.tier = store::tier_from_string(text);
    if (!u.tier)
      return fail<store::CustomerUpdate>(
          error("invalid_field", "tier must be one of S, A, B, C", "tier"));
  }
  if (j->contains("account_team")) {
    if (!read_bounded(*j, "account_team", kMaxLabelBytes, text, err))
      return fail<store::CustomerUpdate>(err);
    u.account_team = text;
  }
  if (j->contains("account_manager")) {
    if (!read_person_name(*j, "account_manager", false, text, err))
      return fail<store::CustomerUpdate>(err);
    u.account_manager = text;
  }
  if (const auto it = j->find("attributes"); it != j->end()) {
    if (!it->is_object())
      return fail<store::CustomerUpdate>(
          error("invalid_field", "attributes must be a JSON object", "attributes"));
    std::string dumped = it->dump();
    if (dumped.size() > kMaxCustomerAttributesBytes)
      return fail<store::CustomerUpdate>(error(
          "too_long",
          "attributes is longer than " + std::to_string(kMaxCustomerAttributesBytes) + " bytes",
          "attributes", 413));
    u.attributes_json = std::move(dumped);
  }
  return {std::move(u), {}};
}

}  // namespace omnigate::api
