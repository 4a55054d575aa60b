// The web-chat protocol's client side, decoded (plugins/webchat/README.md, "Protocol"): one
// JSON text frame from a visitor's browser becomes one ClientFrame, or a ProtocolError with the
// code the server answers. Pure functions, no host: the fuzz target drives decode_client_frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace omnigate::webchat {

struct Profile {
  std::string name, email, topic;
};

// A visitor the embedding site vouches for: hash = hex HMAC-SHA256(id, identity_secret).
struct ClaimedIdentity {
  std::string kind;  // "email" | "phone" | "external"
  std::string id, hash;
};

struct HelloFrame {
  std::string token;  // "" = a new visitor
  std::uint64_t last_seq = 0;
  std::string epoch;
  std::optional<Profile> profile;
  std::optional<ClaimedIdentity> identity;
};
struct MessageFrame {
  std::string id;  // the client's message id, [A-Za-z0-9_-]{1,64}
  std::string text;
  std::vector<std::string> uploads;  // "sha256:<hex>" of files uploaded with POST /uploads
};
struct TypingFrame {
  bool on = false;
};
struct SeenFrame {
  std::uint64_t seq = 0;
};
struct CsatFrame {
  int score = 0;  // 1..5
  std::string comment;
};
struct TranscriptFrame {
  std::string email;
};
struct PingFrame {};

using ClientFrame = std::variant<HelloFrame, MessageFrame, TypingFrame, SeenFrame, CsatFrame,
                                 TranscriptFrame, PingFrame>;

struct ProtocolError {
  std::string code;     // "bad_json", "unknown_type", "bad_field", "too_large"
  std::string message;  // for the visitor's developer console; names the field
  std::string id;       // the id of the frame it answers, when it had a usable one
};

struct ProtocolLimits {
  std::size_t max_text_bytes = 4096;     // a message's text
  std::size_t max_attachments = 10;      // uploads per message
  std::size_t max_comment_bytes = 2000;  // CSAT comment
};

std::variant<ClientFrame, ProtocolError> decode_client_frame(std::string_view frame,
                                                             const ProtocolLimits& limits);

// The error frame the server sends for `error`.
std::string encode_error(const ProtocolError& error);

// True for 64 lower-case hex digits: a SHA-256 as the blob store names files.
bool is_sha256_hex(std::string_view s);

// True for an address worth sending mail to: local@domain, no spaces, controls or a second @,
// at most 254 bytes. (Not RFC 5321 in full: the mail server has the last word.)
bool plausible_email(std::string_view address);

}  // namespace omnigate::webchat
