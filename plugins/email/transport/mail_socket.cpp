#include "mail_socket.hpp"

#include "imap_session.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>
#include <cstring>

namespace omnigate::email {
namespace {

// Non-blocking connect, so the wait for an unreachable host is bounded by the timeout and not
// by the kernel's SYN retries (minutes).
bool connect_within(int fd, const addrinfo& address, int timeout_seconds, std::string& error) {
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, address.ai_addr, address.ai_addrlen);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd pfd{fd, POLLOUT, 0};
    rc = poll(&pfd, 1, timeout_seconds * 1000);
    if (rc == 0) {
      error = "connection timed out";
      return false;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    errno = so_error;
    rc = so_error == 0 ? 0 : -1;
  }
  if (rc != 0) {
    error = std::strerror(errno);
    return false;
  }
  fcntl(fd, F_SETFL, flags);
  timeval limit{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return true;
}

}  // namespace

int connect_mail_socket(const std::string& host, uint16_t port, int timeout_seconds) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses); rc != 0) {
    throw ImapError("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    if (connect_within(fd, *a, timeout_seconds, error)) {
      freeaddrinfo(addresses);
      return fd;
    }
    ::close(fd);
  }
  freeaddrinfo(addresses);
  throw ImapError("cannot connect to " + host + ":" + service + ": " + error);
}

}  // namespace omnigate::email
