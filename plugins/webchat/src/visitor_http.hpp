// The web chat's plain HTTP routes, called from the visitor's browser on the embedding site's
// origin (plugins/webchat/README.md, "Routes"): the widget script, whether the chat is staffed,
// file uploads and downloads, and the offline form. Every answer to a page carries CORS headers
// for an allowed origin only; a preflight from any other origin is refused.
#pragma once

#include "session_log.hpp"
#include "visitor_token.hpp"
#include "webchat_config.hpp"

#include <omnigate/plugin.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace omnigate::webchat {

// A file a session may see: as the store wants it on a message, and as the log shows it.
struct SessionFile {
  Attachment attachment;  // blob_ref, filename, content_type, size
  nlohmann::json entry;   // {name, content_type, size, url}
};
// An agent's attachment kept for the session: the entry, and the kv key/value that lets the
// session download it.
struct KeptFile {
  nlohmann::json entry;
  std::string key, value;
};

class VisitorHttp {
 public:
  VisitorHttp(const WebchatConfig& config, Host& host, const VisitorTokens& tokens,
              SessionLog& log);

  // Registers the routes; `mount` is the instance's mount path (for the file URLs).
  void register_routes(const std::string& mount);

  // Whether a visitor should get the pre-chat form now: inside service hours and, when the
  // host can tell, with an agent online who could take the conversation.
  bool online() const;

  // A file uploaded in `session` (by its sha256 hex), nullopt if it was not.
  std::optional<SessionFile> session_file(const std::string& session,
                                          const std::string& sha256_hex) const;
  // An agent's outbound attachment made downloadable by the session (stored as a blob first
  // when it came as bytes).
  KeptFile keep_agent_file(const std::string& session, const Attachment& attachment);

 private:
  HttpResponse widget(const HttpRequest& r) const;
  HttpResponse status(const HttpRequest& r) const;
  HttpResponse upload(const HttpRequest& r);
  HttpResponse file(const HttpRequest& r) const;
  HttpResponse offline(const HttpRequest& r);
  HttpResponse preflight(const HttpRequest& r) const;

  // The page's origin when it is allowed (CORS); nullopt otherwise.
  std::optional<std::string> allowed_origin(const HttpRequest& r) const;
  HttpResponse json_reply(const HttpRequest& r, int status, const nlohmann::json& body) const;
  nlohmann::json file_entry(const std::string& sha256_hex, const nlohmann::json& meta) const;

  const WebchatConfig& config_;
  Host& host_;
  const VisitorTokens& tokens_;
  SessionLog& log_;
  std::string mount_;
};

}  // namespace omnigate::webchat
