// A TCP connection to a mail server, opened with a time limit, whose reads and writes time out
// too (SO_RCVTIMEO/SO_SNDTIMEO), so that a server that stops answering cannot hang a thread.
#pragma once

#include <cstdint>
#include <string>

namespace omnigate::email {

// Connects to host:port (every address the name resolves to, in order) within
// timeout_seconds. Returns the connected, blocking socket; throws ImapError with the reason.
int connect_mail_socket(const std::string& host, uint16_t port, int timeout_seconds);

}  // namespace omnigate::email
