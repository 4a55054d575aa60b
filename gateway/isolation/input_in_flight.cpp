#include "isolation/input_in_flight.hpp"

#include "core/base64.hpp"

#include "core/sha256.hpp"
#include "isolation/crash_recorder.hpp"

#include <nlohmann/json.hpp>
#include <omnigate/utf8.hpp>

#include <climits>

namespace omnigate::isolation {
namespace {

thread_local const InputInFlight* t_current = nullptr;

std::string string_of(og_str s) {
  return s.len == 0 ? std::string() : std::string(s.ptr, s.len);
}

nlohmann::json text_value(const std::string& s) {
  if (utf8::is_valid(s)) return s;
  return nlohmann::json{{"base64", base64_encode(s)}};
}

// A string written by text_value. Throws nlohmann::json::exception on a wrong type.
std::optional<std::string> text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("base64"))
    return base64_decode(v.at("base64").get<std::string>());
  return std::nullopt;
}

std::optional<std::string> base64_field(const nlohmann::json& object, const char* name) {
  return base64_decode(object.at(name).get<std::string>());
}

}  // namespace

const char* to_string(InputKind kind) {
  switch (kind) {
    case InputKind::http:
      return "http";
    case InputKind::ws:
      return "ws";
    case InputKind::outbox:
      return "outbox";
  }
  return "unknown";
}

std::optional<InputKind> input_kind_from_string(std::string_view text) {
  if (text == "http") return InputKind::http;
  if (text == "ws") return InputKind::ws;
  if (text == "outbox") return InputKind::outbox;
  return std::nullopt;
}

InputScope::InputScope(const InputInFlight& input) noexcept : previous_(t_current) {
  // A thread that runs plugin code gets its alternate signal stack here, the first time: the
  // executor's threads are not ours to set up, and a stack overflow is a likely crash.
  prepare_thread_for_crash_records();
  t_current = &input;
}

InputScope::~InputScope() {
  t_current = previous_;
}

const InputInFlight* current_input() noexcept {
  return t_current;
}

CapturedInput CapturedInput::capture(const InputInFlight& input) {
  CapturedInput c;
  c.instance = input.instance == nullptr ? std::string() : std::string(input.instance);
  c.kind = input.kind;
  switch (input.kind) {
    case InputKind::http:
      if (const og_http_request* r = input.http) {
        c.method = string_of(r->method);
        c.target = string_of(r->target);
        c.path = string_of(r->path);
        for (std::size_t i = 0; i < r->header_count; ++i) {
          const og_header* h = OG_ARRAY_AT(r->headers, og_header, i);
          c.headers.emplace_back(string_of(h->name), string_of(h->value));
        }
        c.body = string_of(r->body);
        c.remote_addr = string_of(r->remote_addr);
      }
      break;
    case InputKind::ws:
      c.ws_path = string_of(input.ws_path);
      c.ws_frame = string_of(input.ws_frame);
      c.ws_is_text = input.ws_is_text != 0;
      break;
    case InputKind::outbox:
      c.outbox_id = input.outbox_id;
      break;
  }
  return c;
}

std::string CapturedInput::key() const {
  std::string material;
  const auto field = [&material](std::string_view s) {
    material.append(s);
    material.push_back('\0');
  };
  switch (kind) {
    case InputKind::http:
      field(instance);
      field("http");
      field(method);
      field(path);
      material.append(body);
      return sha256_hex(material);
    case InputKind::ws:
      field(instance);
      field("ws");
      field(ws_path);
      material.append(ws_frame);
      return sha256_hex(material);
    case InputKind::outbox:
      return "outbox:" + std::to_string(outbox_id);
  }
  return {};
}

std::string CapturedInput::raw_json() const {
  nlohmann::json j;
  j["kind"] = to_string(kind);
  j["instance"] = text_value(instance);
  switch (kind) {
    case InputKind::http: {
      j["method"] = text_value(method);
      j["target"] = text_value(target);
      j["path"] = text_value(path);
      auto headers_json = nlohmann::json::array();
      for (const auto& [name, value] : headers)
        headers_json.push_back(nlohmann::json::array({text_value(name), text_value(value)}));
      j["headers"] = std::move(headers_json);
      j["body_base64"] = base64_encode(body);
      j["remote_addr"] = text_value(remote_addr);
      break;
    }
    case InputKind::ws:
      j["path"] = text_value(ws_path);
      j["frame_base64"] = base64_encode(ws_frame);
      j["is_text"] = ws_is_text;
      break;
    case InputKind::outbox:
      j["outbox_id"] = outbox_id;
      break;
  }
  return j.dump();
}

std::optional<CapturedInput> CapturedInput::from_raw_json(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    CapturedInput c;
    const auto kind = input_kind_from_string(j.at("kind").get<std::string>());
    auto instance = text_of(j.at("instance"));
    if (!kind || !instance) return std::nullopt;
    c.kind = *kind;
    c.instance = std::move(*instance);
    switch (c.kind) {
      case InputKind::http: {
        auto method = text_of(j.at("method"));
        auto target = text_of(j.at("target"));
        auto path = text_of(j.at("path"));
        auto body = base64_field(j, "body_base64");
        auto remote_addr = text_of(j.at("remote_addr"));
        if (!method || !target || !path || !body || !remote_addr) return std::nullopt;
        const auto& headers = j.at("headers");
        if (!headers.is_array()) return std::nullopt;
        for (const auto& pair : headers) {
          if (!pair.is_array() || pair.size() != 2) return std::nullopt;
          auto name = text_of(pair[0]);
          auto value = text_of(pair[1]);
          if (!name || !value) return std::nullopt;
          c.headers.emplace_back(std::move(*name), std::move(*value));
        }
        c.method = std::move(*method);
        c.target = std::move(*target);
        c.path = std::move(*path);
        c.body = std::move(*body);
        c.remote_addr = std::move(*remote_addr);
        break;
      }
      case InputKind::ws: {
        auto path = text_of(j.at("path"));
        auto frame = base64_field(j, "frame_base64");
        if (!path || !frame || !j.at("is_text").is_boolean()) return std::nullopt;
        c.ws_path = std::move(*path);
        c.ws_frame = std::move(*frame);
        c.ws_is_text = j.at("is_text").get<bool>();
        break;
      }
      case InputKind::outbox:
        if (!j.at("outbox_id").is_number_integer()) return std::nullopt;
        if (j.at("outbox_id").is_number_unsigned() &&
            j.at("outbox_id").get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
          return std::nullopt;
        c.outbox_id = j.at("outbox_id").get<int64_t>();
        break;
    }
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a missing field or one of the wrong type
  }
}

}  // namespace omnigate::isolation
