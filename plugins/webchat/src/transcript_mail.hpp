// TEMPORARY local placeholder (not committed): replaced by the wc-mail branch.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>
namespace omnigate::webchat {
struct MailSettings {
  std::string smtp_url, username, password, from_address, from_name;
  bool starttls = false;
  long timeout_ms = 30000;
  static MailSettings from_json(const nlohmann::json&) { return {}; }
};
inline const char* const kMailSchema = R"({"type":"object"})";
struct TranscriptLine {
  std::string author, name, text;
  int64_t at_ms = 0;
  std::vector<std::string> attachment_names;
};
inline std::string compose_transcript_mail(const MailSettings&, std::string_view, std::string_view,
                                           const std::vector<TranscriptLine>&) {
  return {};
}
inline std::string compose_reply_mail(const MailSettings&, std::string_view, std::string_view,
                                      std::string_view, std::string_view, std::string_view,
                                      std::string_view) {
  return {};
}
class MailSender {
 public:
  explicit MailSender(MailSettings) {}
  void send(std::string, std::string, std::function<void(bool, std::string)> done) {
    done(false, "placeholder");
  }
};
}  // namespace omnigate::webchat
