// TLS for libetpan's IMAP streams with the server's certificate verified. libetpan's own TLS
// (GnuTLS in Debian's build) completes the handshake without checking the certificate, which
// would hand the mailbox password to anyone on the path; this stream uses OpenSSL with the
// system's CA store (plus MailServerSettings::ca_file), checks the host name, sends SNI, and
// plugs into libetpan as a mailstream_low driver.
#pragma once

#include "mail_server_settings.hpp"

#include <libetpan/libetpan.h>

namespace omnigate::email {

// Handshakes over the connected socket `fd` and returns the stream, which owns `fd` from then
// on (also when this throws ImapError: the socket is closed).
mailstream_low* open_verified_tls(int fd, const MailServerSettings& server);

// Whether decrypted bytes are waiting inside the TLS layer of one of these streams, where a
// poll() on the socket cannot see them (false for any other stream).
bool tls_stream_has_pending(mailstream_low* low);

}  // namespace omnigate::email
