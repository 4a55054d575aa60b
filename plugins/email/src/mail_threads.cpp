#include "mail_threads.hpp"

#include "ascii_text.hpp"
#include "digest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace omnigate::email {
namespace {

constexpr std::size_t kMaxReferences = 20;  // enough to thread; clients trim the same way
constexpr std::size_t kMaxKeyBytes = 200;   // the host's kv keys stop at 256 bytes

// A kv key for a possibly long value (Message-IDs may be up to 998 bytes).
std::string key_of(std::string_view prefix, std::string_view value) {
  std::string key(prefix);
  if (key.size() + value.size() <= kMaxKeyBytes)
    key += value;
  else
    key += "#" + sha256_hex(value);
  return key;
}

}  // namespace

std::optional<std::string> MailThreads::get(const std::string& key) const {
  return host_.kv_get(key);
}

std::optional<std::string> MailThreads::find(const ParsedEmail& mail) const {
  std::vector<std::string> ids;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  const std::size_t n = std::min(mail.references.size(), kMaxReferences);
  for (std::size_t i = 0; i < n; ++i)
    ids.push_back(mail.references[mail.references.size() - 1 - i]);
  for (const auto& id : ids)
    if (auto thread = get(key_of("mid:", id))) return thread;
  if (auto token = subject_token(mail.subject))
    if (auto thread = get("conv:" + std::to_string(*token))) return thread;
  return std::nullopt;
}

void MailThreads::remember_inbound(const ParsedEmail& mail, const std::string& message_id,
                                   const std::string& thread_key) {
  host_.kv_put(key_of("mid:", message_id), thread_key);
  std::vector<std::string> refs = mail.references;
  if (refs.empty() && !mail.in_reply_to.empty()) refs.push_back(mail.in_reply_to);
  if (!mail.message_id.empty()) refs.push_back(mail.message_id);
  if (refs.size() > kMaxReferences)  // keep the root and the newest, as RFC 5322 suggests
    refs.erase(refs.begin() + 1, refs.end() - static_cast<std::ptrdiff_t>(kMaxReferences - 1));
  nlohmann::json info = {{"s", mail.subject}, {"r", refs}};
  std::string value = info.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (value.size() > 60 * 1024)
    value = nlohmann::json({{"s", ""}, {"r", {mail.message_id}}}).dump();
  host_.kv_put(key_of("thread:", thread_key), value);
  if (!mail.from.address.empty() && !wrote_to_us(mail.from.address))
    host_.kv_put(key_of("sender:", ascii_lower(mail.from.address)), "1");
}

void MailThreads::remember_outbound(const std::string& message_id, const std::string& thread_key,
                                    int64_t conversation_id) {
  host_.kv_put(key_of("mid:", message_id), thread_key);
  if (conversation_id > 0) host_.kv_put("conv:" + std::to_string(conversation_id), thread_key);
}

ThreadInfo MailThreads::info(const std::string& thread_key) const {
  ThreadInfo out;
  auto value = get(key_of("thread:", thread_key));
  if (!value) return out;
  auto j = nlohmann::json::parse(*value, nullptr, false);
  if (!j.is_object()) return out;
  if (auto s = j.find("s"); s != j.end() && s->is_string()) out.subject = s->get<std::string>();
  if (auto r = j.find("r"); r != j.end() && r->is_array())
    for (const auto& id : *r)
      if (id.is_string()) out.references.push_back(id.get<std::string>());
  return out;
}

bool MailThreads::wrote_to_us(const std::string& address) const {
  return get(key_of("sender:", ascii_lower(address))).has_value();
}

std::optional<int64_t> subject_token(std::string_view subject) {
  std::optional<int64_t> found;
  for (std::size_t at = subject.find("[#"); at != std::string_view::npos;
       at = subject.find("[#", at + 2)) {
    std::size_t i = at + 2;
    int64_t n = 0;
    std::size_t digits = 0;
    while (i < subject.size() && std::isdigit(static_cast<unsigned char>(subject[i])) &&
           digits < 18) {
      n = n * 10 + (subject[i] - '0');
      ++i;
      ++digits;
    }
    if (digits > 0 && i < subject.size() && subject[i] == ']') found = n;
  }
  return found;
}

std::string reply_subject(std::string_view thread_subject, int64_t conversation_id,
                          bool with_token) {
  std::string subject(thread_subject);
  const std::string low = ascii_lower(subject.substr(0, 6));
  const bool is_reply = low.starts_with("re:") || low.starts_with("aw:") ||
                        low.starts_with("sv:") || low.starts_with("回复");
  if (!is_reply) subject = subject.empty() ? "Re: your message" : "Re: " + subject;
  if (with_token && conversation_id > 0) {
    const auto token = subject_token(subject);
    if (!token || *token != conversation_id)
      subject += " [#" + std::to_string(conversation_id) + "]";
  }
  return subject;
}

}  // namespace omnigate::email
