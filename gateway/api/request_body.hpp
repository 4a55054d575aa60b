// Validation of the API's request bodies: untrusted JSON in, typed values or an error naming the
// field out. Pure functions (no store, no I/O) so they can be fuzzed (tests/fuzz/api_json).
#pragma once

#include "store/model.hpp"

#include <nlohmann/json_fwd.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::api {

// The longest reply text accepted; providers split or refuse far shorter, and this bounds the
// size of one outbox row.
inline constexpr std::size_t kMaxReplyTextBytes = 64 * 1024;
inline constexpr std::size_t kMaxReplyAttachments = 10;

struct BodyError {
  int status = 400;
  std::string code;     // "bad_json", "unknown_field", "missing_field", "invalid_field", "too_long"
  std::string message;  // names the field and the rule
  std::string field;    // "" when the whole body is at fault
};

template <class T>
struct Parsed {
  std::optional<T> value;  // set on success
  BodyError error;         // meaningful when !value
};

// Parses `body` as one JSON object whose keys are all in `allowed`, refusing what every body
// parser here refuses (a byte order mark, a key twice, NUL in a string); nullopt with `err` set
// otherwise. For the parsers of other files (workspace_bodies.hpp).
std::optional<nlohmann::json> parse_body_object(std::string_view body,
                                                std::initializer_list<std::string_view> allowed,
                                                BodyError& err);

// The longest attachment file name and content type accepted, in bytes (what file systems and
// MIME parameters keep).
inline constexpr std::size_t kMaxAttachmentNameBytes = 255;

struct ReplyBody {
  std::string text, html, subject;
  // Links (filename, content_type, url) and uploaded files (filename, content_type,
  // blob_sha256: whether that file is stored is for the caller to check).
  std::vector<store::AttachmentRecord> attachments;
};
// {"text": "...", "html"?: "...", "subject"?: "...",
//  "attachments"?: [{"filename": "...", "content_type": "...", "url": "https://..."} or
//                   {"filename": "...", "content_type"?: "...", "sha256": "<64 hex>"}]}
Parsed<ReplyBody> parse_reply_body(std::string_view body);

// What an upload (POST /attachments) says about its file besides the bytes.
struct UploadMeta {
  std::string filename;      // metadata only, never a path
  std::string content_type;  // "application/octet-stream" when the request names none
};
// An upload's ?filename= (already percent-decoded; nullopt = absent) and Content-Type header:
// the name 1..255 bytes of UTF-8 without control characters, the type at most 255 printable
// ASCII bytes of the form type/subtype[; parameters].
Parsed<UploadMeta> parse_upload_meta(const std::optional<std::string>& filename,
                                     std::optional<std::string_view> content_type);

// An agent's command for a conversation's channel (POST /conversations/{id}/command).
struct CommandBody {
  std::string command;    // [a-z_.]{1,32}
  std::string data_json;  // the "data" object's text, "" when absent
};
// {"command": "recording.pause", "data"?: {...}}
Parsed<CommandBody> parse_command_body(std::string_view body);

struct TransferBody {
  std::string agent_id;  // exactly one of agent_id / team is set
  std::string team;
  bool warm = false;  // "mode": "warm" (agents only): the customer stays on while bob joins
};
// {"agent_id": "bob", "mode"?: "cold"|"warm"} or {"team": "billing", "mode"?: "cold"}
Parsed<TransferBody> parse_transfer_body(std::string_view body);

// The longest complaint matter and reclassification reason accepted, in characters: a summary
// for the people it escalates to, not the correspondence (that is in the transcript).
inline constexpr std::size_t kMaxClassificationTextChars = 2000;

struct PriorityBody {
  int priority = 4;  // 1..4
  std::string reason;
};
// {"priority": 1..4, "reason": "..."}: reason required, at most 2000 characters
Parsed<PriorityBody> parse_priority_body(std::string_view body);

// A complaint to file on the ladder (docs/service-processes.md).
struct ComplaintBody {
  store::Id conversation_id = 0;  // named by POST /complaints; the path's on /conversations/{id}
  std::string matter;             // what the customer complains about
  std::string contact;            // how to reach them about it ("" = not given)
  std::string complainant;        // who complains ("" = not given)
  std::string channel;            // where they complained ("" = the conversation's channel)
  bool major = false;             // severity "major" (7x24, close within a day) or "normal"
};
// Where the conversation comes from: the body (POST /complaints) or the request path.
enum class ComplaintConversation { in_body, in_path };
// {"conversation_id" (in_body only), "matter", "contact"?, "complainant"?, "channel"?,
// "severity"?: "normal"|"major"}: matter required, each text at most 2000 characters.
Parsed<ComplaintBody> parse_complaint_body(std::string_view body, ComplaintConversation where);

struct ContactLogBody {
  std::string classification;  // what the contact was about
  std::string note;            // "" = none
};
// {"classification": "...", "note"?: "..."}: classification required, each at most 2000
// characters
Parsed<ContactLogBody> parse_contact_log_body(std::string_view body);

// {"presence": "online|busy|away|offline"}
Parsed<store::Presence> parse_presence_body(std::string_view body);

// The [routing] table as a JSON object, re-serialised (what RoutingDispatcher::reload_policy
// takes).
Parsed<std::string> parse_routing_reload_body(std::string_view body);

// A path's {id}: a positive decimal integer, nothing else.
std::optional<store::Id> parse_path_id(std::string_view text);

// The largest page a list endpoint returns.
inline constexpr int kMaxListLimit = 500;
// A list's ?limit=: a decimal 1..most, nothing else.
std::optional<int> parse_list_limit(std::string_view text, int most = kMaxListLimit);

// ---- admin API bodies (docs/api.md "Admin")

// The largest customer `attributes` object accepted (serialised); it is read on every routing
// rule evaluation, so it stays small.
inline constexpr std::size_t kMaxCustomerAttributesBytes = 16 * 1024;

// An agent profile. On create (`with_id`) the body names the new agent's "id"; on replace the id
// comes from the path and "id" is an unknown field. Presence is not part of a profile.
// {"id": "carol", "display_name"?: "Carol", "team"?: "billing",
//  "skills"?: [{"skill": "sms", "level": 3}], "tiers"?: ["A", "B"],
//  "capacity"?: {"sms": 5, "email": 8, "webchat": 3, "voice": 1, "total": 10}}
Parsed<store::Agent> parse_agent_body(std::string_view body, bool with_id);

// {"name": "carol", "role": "agent|supervisor|qa|admin" or "roles": [...], "agent_id"?: "carol"}
// (an agent_id is required with role agent). Without
// `with_name` (a change of the user the path names) "name" is an unknown field.
Parsed<store::User> parse_user_body(std::string_view body, bool with_name = true);

// Passwords are 8..1024 bytes (argon2id takes any bytes; the bound keeps a request small).
inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// {"name": "...", "password": "..."}: both strings, the name not checked further (an unknown or
// malformed name is answered like a wrong password).
struct LoginBody {
  std::string name, password;
};
Parsed<LoginBody> parse_login_body(std::string_view body);

// {"password": "<new>", "old_password"?: "<current>"}: the old one is required when a user
// changes their own (the caller checks it).
struct PasswordBody {
  std::string password, old_password;
};
Parsed<PasswordBody> parse_password_body(std::string_view body);

// {"label": "crm sync", "scopes": ["conversations:read", ...]}: 1..64 byte label, known scopes.
struct TokenBody {
  std::string label;
  std::vector<std::string> scopes;
};
Parsed<TokenBody> parse_token_body(std::string_view body);

// {"display_name"?, "tier"?: "S|A|B|C", "account_team"?, "account_manager"?: "<agent id>" or "",
//  "attributes"?: {...}}: at least one field. customer_id and actor are left to the caller.
Parsed<store::CustomerUpdate> parse_customer_patch_body(std::string_view body);

}  // namespace omnigate::api
