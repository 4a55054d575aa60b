// Fuzzes the web chat's client frame decoder (plugins/webchat/src/protocol.*): every WebSocket
// text frame a visitor's browser sends goes through it before anything else looks at it. Small
// limits so that the fuzzer reaches them. Nothing may throw or crash; whatever decodes must keep
// the promises the plugin relies on (a message id fit for a store key, text within the limit,
// valid UTF-8 everywhere), and every error frame must be valid JSON.
#include "protocol.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace {

using nlohmann::json;
using namespace omnigate::webchat;

const ProtocolLimits kLimits{/*max_text_bytes=*/64, /*max_attachments=*/3,
                             /*max_comment_bytes=*/32};

void require(bool condition) {
  if (!condition) std::abort();
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool valid_upload(std::string_view ref) {
  return ref.size() == 71 && ref.substr(0, 7) == "sha256:" &&
         std::all_of(ref.begin() + 7, ref.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Strict serialisation throws on invalid UTF-8: what is decoded must be valid text.
void require_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
  } catch (const json::exception&) {
    std::abort();
  }
}

void check(const ClientFrame& frame) {
  std::visit(
      [](const auto& f) {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, HelloFrame>) {
          require(f.token.size() <= 256 && f.epoch.size() <= 64);
          require_utf8(f.token);
          require_utf8(f.epoch);
          if (f.profile) {
            require(f.profile->email.empty() || plausible_email(f.profile->email));
            require_utf8(f.profile->name);
            require_utf8(f.profile->topic);
          }
          if (f.identity) {
            const auto& kind = f.identity->kind;
            require(kind == "email" || kind == "phone" || kind == "external");
            require(!f.identity->id.empty());
            require_utf8(f.identity->id);
          }
        } else if constexpr (std::is_same_v<F, MessageFrame>) {
          require(valid_id(f.id));
          require(f.text.size() <= kLimits.max_text_bytes);
          require_utf8(f.text);
          require(f.uploads.size() <= kLimits.max_attachments);
          require(std::all_of(f.uploads.begin(), f.uploads.end(), valid_upload));
          require(!f.uploads.empty() || f.text.find_first_not_of(" \t\r\n") != std::string::npos);
        } else if constexpr (std::is_same_v<F, CsatFrame>) {
          require(f.score >= 1 && f.score <= 5);
          require(f.comment.size() <= kLimits.max_comment_bytes);
          require_utf8(f.comment);
        } else if constexpr (std::is_same_v<F, TranscriptFrame>) {
          require(plausible_email(f.email));
        }
      },
      frame);
}

void check_error_frame(const ProtocolError& error) {
  const json frame = json::parse(encode_error(error), nullptr, false);
  require(frame.is_object() && frame.value("type", "") == "error" &&
          frame.value("code", "") == error.code);
  require(frame.contains("id") == !error.id.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto decoded = decode_client_frame(frame, kLimits);
  if (const auto* error = std::get_if<ProtocolError>(&decoded)) {
    static const std::string_view codes[] = {"bad_json", "unknown_type", "bad_field", "too_large"};
    require(std::find(std::begin(codes), std::end(codes), error->code) != std::end(codes));
    require(error->id.empty() || valid_id(error->id));
    check_error_frame(*error);
  } else {
    check(std::get<ClientFrame>(decoded));
  }
  // Whatever bytes end up in an error's message (the server quotes an unknown type), the
  // frame sent back is JSON.
  check_error_frame({"bad_field", std::string(frame), ""});
  return 0;
}
