#include "imap_tls_stream.hpp"

#include "imap_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace omnigate::email {
namespace {

struct TlsStream {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
};

TlsStream* stream_of(mailstream_low* low) {
  return static_cast<TlsStream*>(low->data);
}

ssize_t tls_read(mailstream_low* low, void* buffer, size_t size) {
  size_t got = 0;
  if (SSL_read_ex(stream_of(low)->ssl, buffer, size, &got) == 1) return static_cast<ssize_t>(got);
  // A clean close_notify reads as end of stream; anything else (reset, SO_RCVTIMEO) as error.
  return SSL_get_error(stream_of(low)->ssl, 0) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t tls_write(mailstream_low* low, const void* buffer, size_t size) {
  size_t written = 0;
  if (SSL_write_ex(stream_of(low)->ssl, buffer, size, &written) == 1) {
    return static_cast<ssize_t>(written);
  }
  return -1;
}

int tls_close(mailstream_low* low) {
  TlsStream* stream = stream_of(low);
  if (stream->fd < 0) return 0;
  SSL_shutdown(stream->ssl);  // best effort: the peer may be gone already
  ::close(stream->fd);
  stream->fd = -1;
  return 0;
}

int tls_get_fd(mailstream_low* low) {
  return stream_of(low)->fd;
}

void free_stream(TlsStream* stream) {
  if (stream->fd >= 0) ::close(stream->fd);
  SSL_free(stream->ssl);
  SSL_CTX_free(stream->context);
  delete stream;
}

void tls_free(mailstream_low* low) {
  free_stream(stream_of(low));
  free(low);  // mailstream_low_new() allocated it with malloc
}

void tls_cancel(mailstream_low* low) {
  if (stream_of(low)->fd >= 0) shutdown(stream_of(low)->fd, SHUT_RDWR);
}

struct mailstream_cancel* tls_get_cancel(mailstream_low*) {
  return nullptr;
}
carray* tls_certificate_chain(mailstream_low*) {
  return nullptr;
}
int tls_idle_unsupported(mailstream_low*) {
  return -1;
}

mailstream_low_driver tls_driver = {
    tls_read,
    tls_write,
    tls_close,
    tls_get_fd,
    tls_free,
    tls_cancel,
    tls_get_cancel,
    tls_certificate_chain,
    tls_idle_unsupported,
    tls_idle_unsupported,
    tls_idle_unsupported,
};

std::string openssl_error(const std::string& what) {
  std::string text = what;
  if (unsigned long code = ERR_get_error(); code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += ": ";
    text += buffer;
  }
  ERR_clear_error();
  return text;
}

}  // namespace

mailstream_low* open_verified_tls(int fd, const MailServerSettings& server) {
  auto* stream = new TlsStream;
  stream->fd = fd;
  auto fail = [&](const std::string& what) {
    std::string text = openssl_error(what);
    free_stream(stream);
    throw ImapError(text);
  };
  stream->context = SSL_CTX_new(TLS_client_method());
  if (stream->context == nullptr) fail("TLS context");
  SSL_CTX_set_min_proto_version(stream->context, TLS1_2_VERSION);
  if (server.verify_peer) {
    SSL_CTX_set_verify(stream->context, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_set_default_verify_paths(stream->context) != 1) fail("system CA store");
    if (!server.ca_file.empty() &&
        SSL_CTX_load_verify_locations(stream->context, server.ca_file.c_str(), nullptr) != 1) {
      fail("CA file " + server.ca_file);
    }
  }
  stream->ssl = SSL_new(stream->context);
  if (stream->ssl == nullptr || SSL_set_fd(stream->ssl, fd) != 1) fail("TLS session");
  SSL_set_tlsext_host_name(stream->ssl, server.host.c_str());
  if (server.verify_peer && SSL_set1_host(stream->ssl, server.host.c_str()) != 1) {
    fail("TLS host name");
  }
  if (SSL_connect(stream->ssl) != 1) {
    long verify = SSL_get_verify_result(stream->ssl);
    fail(verify != X509_V_OK ? "TLS certificate of " + server.host +
                                   " refused: " + X509_verify_cert_error_string(verify)
                             : "TLS handshake with " + server.host);
  }
  mailstream_low* low = mailstream_low_new(stream, &tls_driver);
  if (low == nullptr) fail("out of memory");
  return low;
}

bool tls_stream_has_pending(mailstream_low* low) {
  return low != nullptr && low->driver == &tls_driver && SSL_pending(stream_of(low)->ssl) > 0;
}

}  // namespace omnigate::email
