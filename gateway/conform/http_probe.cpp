#include "conform/http_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace omnigate::conform {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int ms_left(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

ProbeAnswer broken(const std::string& why) {
  ProbeAnswer a;
  a.kind = ProbeAnswer::Kind::broken;
  a.error = why;
  return a;
}

ProbeAnswer timed_out() {
  ProbeAnswer a;
  a.kind = ProbeAnswer::Kind::timed_out;
  return a;
}

// "HTTP/1.1 413 Payload Too Large\r\n..." → 413 once the status line is complete; 0 before.
int parse_status(const std::string& received) {
  const auto eol = received.find("\r\n");
  if (eol == std::string::npos) return 0;
  if (received.rfind("HTTP/", 0) != 0) return -1;
  const auto space = received.find(' ');
  if (space == std::string::npos || space + 4 > eol) return -1;
  int status = 0;
  for (std::size_t i = space + 1; i < space + 4; ++i) {
    if (received[i] < '0' || received[i] > '9') return -1;
    status = status * 10 + (received[i] - '0');
  }
  return status;
}

}  // namespace

ProbeAnswer send_probe(std::uint16_t port, const HttpProbe& probe,
                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Socket socket;
  if (socket.fd() < 0) return broken(std::string("socket: ") + strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS)
    return broken(std::string("connect: ") + strerror(errno));

  std::string out = probe.method + ' ' + probe.target +
                    " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  if (!probe.content_type.empty()) out += "Content-Type: " + probe.content_type + "\r\n";
  for (const auto& [name, value] : probe.headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(probe.body.size()) + "\r\n\r\n";
  out += probe.body;

  // Write while reading: a server may answer (413) before the body is sent; the answer counts.
  std::size_t sent = 0;
  bool writing = true;
  std::string received;
  for (;;) {
    const int left = ms_left(deadline);
    if (left == 0) return timed_out();
    pollfd p{socket.fd(), static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    const int ready = ::poll(&p, 1, left);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return broken(std::string("poll: ") + strerror(errno));
    if (ready == 0) return timed_out();
    if (p.revents & POLLIN) {
      char chunk[4096];
      const ssize_t n = ::recv(socket.fd(), chunk, sizeof chunk, 0);
      if (n > 0) {
        received.append(chunk, static_cast<std::size_t>(n));
        const int status = parse_status(received);
        if (status < 0) return broken("not an HTTP response: " + received.substr(0, 40));
        if (status > 0) {
          ProbeAnswer a;
          a.kind = ProbeAnswer::Kind::answered;
          a.status = status;
          return a;
        }
        continue;
      }
      if (n == 0) return broken("connection closed without an answer");
      if (errno != EAGAIN && errno != EINTR) return broken(std::string("recv: ") + strerror(errno));
    }
    if (p.revents & (POLLERR | POLLHUP) && !(p.revents & POLLIN)) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
      return broken(err ? std::string("connection: ") + strerror(err) : "connection hung up");
    }
    if (writing && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(socket.fd(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        if (sent == out.size()) writing = false;
      } else if (errno != EAGAIN && errno != EINTR) {
        writing = false;  // the peer stopped reading (e.g. after a 413): read what it said
      }
    }
  }
}

}  // namespace omnigate::conform
