#include "protocol.hpp"

#include "json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace omnigate::webchat {
namespace {

using nlohmann::json;

struct FieldError {
  std::string code, message;
};

const json* field(const json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string string_field(const json& object, const char* name, std::size_t max_bytes,
                         bool required) {
  const json* value = field(object, name);
  if (value == nullptr) {
    if (required) throw FieldError{"bad_field", std::string(name) + " is required"};
    return {};
  }
  if (!value->is_string()) throw FieldError{"bad_field", std::string(name) + " must be a string"};
  const auto& s = value->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    throw FieldError{"too_large",
                     std::string(name) + " is longer than " + std::to_string(max_bytes) + " bytes"};
  }
  return s;
}

std::uint64_t seq_field(const json& object, const char* name, bool required) {
  const json* value = field(object, name);
  if (value == nullptr) {
    if (required) throw FieldError{"bad_field", std::string(name) + " is required"};
    return 0;
  }
  if (!value->is_number_unsigned() && !(value->is_number_integer() && value->get<int64_t>() >= 0))
    throw FieldError{"bad_field", std::string(name) + " must be an integer >= 0"};
  return value->get<std::uint64_t>();
}

bool valid_client_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool valid_upload_ref(std::string_view ref) {
  constexpr std::string_view prefix = "sha256:";
  return ref.substr(0, prefix.size()) == prefix && is_sha256_hex(ref.substr(prefix.size()));
}

HelloFrame decode_hello(const json& j) {
  HelloFrame hello;
  hello.token = string_field(j, "token", 256, false);
  hello.last_seq = seq_field(j, "last_seq", false);
  hello.epoch = string_field(j, "epoch", 64, false);
  if (const json* p = field(j, "profile")) {
    if (!p->is_object()) throw FieldError{"bad_field", "profile must be an object"};
    Profile profile{string_field(*p, "name", 200, false), string_field(*p, "email", 254, false),
                    string_field(*p, "topic", 64, false)};
    if (!profile.email.empty() && !plausible_email(profile.email))
      throw FieldError{"bad_field", "profile.email is not an e-mail address"};
    hello.profile = std::move(profile);
  }
  if (const json* i = field(j, "identity")) {
    if (!i->is_object()) throw FieldError{"bad_field", "identity must be an object"};
    ClaimedIdentity identity{string_field(*i, "kind", 16, true), string_field(*i, "id", 254, true),
                             string_field(*i, "hash", 128, true)};
    if (identity.kind != "email" && identity.kind != "phone" && identity.kind != "external")
      throw FieldError{"bad_field", "identity.kind must be email, phone or external"};
    if (identity.id.empty()) throw FieldError{"bad_field", "identity.id is empty"};
    hello.identity = std::move(identity);
  }
  return hello;
}

MessageFrame decode_message(const json& j, const ProtocolLimits& limits) {
  MessageFrame message;
  message.text = string_field(j, "text", limits.max_text_bytes, false);
  if (const json* list = field(j, "attachments")) {
    if (!list->is_array()) throw FieldError{"bad_field", "attachments must be an array"};
    if (list->size() > limits.max_attachments) {
      throw FieldError{"too_large",
                       "more than " + std::to_string(limits.max_attachments) + " attachments"};
    }
    for (const auto& a : *list) {
      if (!a.is_object()) throw FieldError{"bad_field", "an attachment must be an object"};
      std::string ref = string_field(a, "upload", 71, true);
      if (!valid_upload_ref(ref))
        throw FieldError{"bad_field", "attachments[].upload must be sha256:<64 hex>"};
      message.uploads.push_back(std::move(ref));
    }
  }
  if (message.text.find_first_not_of(" \t\r\n") == std::string::npos && message.uploads.empty())
    throw FieldError{"bad_field", "a message needs text or an attachment"};
  return message;
}

}  // namespace

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool plausible_email(std::string_view address) {
  const auto at = address.find('@');
  if (address.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 >= address.size() ||
      address.find('@', at + 1) != std::string_view::npos)
    return false;
  const auto domain = address.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.') return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' ||
           c == '"' || c == '\\' || c == 0x7f;
  });
}

std::variant<ClientFrame, ProtocolError> decode_client_frame(std::string_view frame,
                                                             const ProtocolLimits& limits) {
  // nlohmann refuses invalid UTF-8 inside strings, so nothing below sees broken text.
  json j = json::parse(frame, nullptr, false);
  if (j.is_discarded()) return ProtocolError{"bad_json", "the frame is not valid JSON", ""};
  if (!j.is_object()) return ProtocolError{"bad_json", "the frame must be a JSON object", ""};
  std::string id;
  try {
    const std::string type = string_field(j, "type", 32, true);
    if (const json* raw_id = field(j, "id"); raw_id && raw_id->is_string()) {
      const auto& s = raw_id->get_ref<const std::string&>();
      if (valid_client_id(s)) id = s;
    }
    if (type == "hello") return decode_hello(j);
    if (type == "message") {
      if (id.empty()) throw FieldError{"bad_field", "id must be 1..64 characters of [A-Za-z0-9_-]"};
      MessageFrame message = decode_message(j, limits);
      message.id = id;
      return message;
    }
    if (type == "typing") {
      const json* on = field(j, "on");
      if (on == nullptr || !on->is_boolean()) throw FieldError{"bad_field", "on must be a boolean"};
      return TypingFrame{on->get<bool>()};
    }
    if (type == "seen") return SeenFrame{seq_field(j, "seq", true)};
    if (type == "csat") {
      const json* score = field(j, "score");
      if (score == nullptr || !score->is_number_integer() || score->get<int64_t>() < 1 ||
          score->get<int64_t>() > 5)
        throw FieldError{"bad_field", "score must be an integer 1..5"};
      return CsatFrame{static_cast<int>(score->get<int64_t>()),
                       string_field(j, "comment", limits.max_comment_bytes, false)};
    }
    if (type == "transcript") {
      std::string email = string_field(j, "email", 254, true);
      if (!plausible_email(email)) throw FieldError{"bad_field", "email is not an e-mail address"};
      return TranscriptFrame{std::move(email)};
    }
    if (type == "ping") return PingFrame{};
    return ProtocolError{"unknown_type", "unknown frame type \"" + type + "\"", id};
  } catch (const FieldError& e) {
    return ProtocolError{e.code, e.message, id};
  }
}

std::string encode_error(const ProtocolError& error) {
  json out{{"type", "error"}, {"code", error.code}, {"message", error.message}};
  if (!error.id.empty()) out["id"] = error.id;
  return json_text(out);
}

}  // namespace omnigate::webchat
