// How to reach one IMAP or SMTP server: the operator's per-mailbox settings.
#pragma once

#include <cstdint>
#include <string>

namespace omnigate::email {

enum class MailTls {
  none,      // plain text (loopback test servers, or a trusted network)
  starttls,  // plain connection upgraded with STARTTLS; refused if the server cannot
  implicit,  // TLS from the first byte (imaps 993, smtps 465)
};

struct MailServerSettings {
  std::string host;
  uint16_t port = 0;  // 0 = the protocol's default for `tls`
  MailTls tls = MailTls::implicit;
  bool verify_peer = true;  // check the server's certificate and name
  std::string ca_file;      // extra CA bundle (PEM); empty = the system's
  std::string user;
  std::string password;  // never logged
  int timeout_seconds = 30;
};

}  // namespace omnigate::email
