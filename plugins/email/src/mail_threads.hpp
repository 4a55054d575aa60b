// Which conversation a mail belongs to, kept in the plugin's durable key/value store:
//   mid:<Message-ID>      → thread key    (every mail in and out, so a reply finds its thread)
//   thread:<thread key>   → {"s": subject, "r": [References of the latest mail + its id]}
//   conv:<conversation>   → thread key    (the "[#42]" subject token of our replies)
//   sender:<address>      → "1"           (addresses that wrote to us: replies go only there)
// A mail joins the thread of the first known id in In-Reply-To, then References (newest
// first), then its subject token; otherwise it starts a thread keyed by its own Message-ID.
// So a customer's reply to our reply stays in the conversation, and a new subject is a new one.
// Every method may be called from any thread (the host's kv functions are).
#pragma once

#include "parsed_email.hpp"

#include <omnigate/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::email {

struct ThreadInfo {
  std::string subject;                  // the thread's subject as the customer last wrote it
  std::vector<std::string> references;  // for our reply's References header, oldest first
};

class MailThreads {
 public:
  explicit MailThreads(Host& host) : host_(host) {}

  // The thread an inbound mail belongs to, or nullopt when it starts a new one.
  std::optional<std::string> find(const ParsedEmail& mail) const;
  // Remember an inbound mail (its id, the thread's References, its sender).
  void remember_inbound(const ParsedEmail& mail, const std::string& message_id,
                        const std::string& thread_key);
  // Remember a reply we send, so the customer's answer to it finds the thread.
  void remember_outbound(const std::string& message_id, const std::string& thread_key,
                         int64_t conversation_id);
  ThreadInfo info(const std::string& thread_key) const;
  bool wrote_to_us(const std::string& address) const;

 private:
  std::optional<std::string> get(const std::string& key) const;
  Host& host_;
};

// "[#42]" → 42 (the last such token in the subject), nullopt if none.
std::optional<int64_t> subject_token(std::string_view subject);
// The subject of a reply: "Re: " unless it already starts with a reply prefix, and our token
// appended when asked and missing.
std::string reply_subject(std::string_view thread_subject, int64_t conversation_id,
                          bool with_token);

}  // namespace omnigate::email
