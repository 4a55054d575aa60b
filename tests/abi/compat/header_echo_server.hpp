// A blocking HTTP server on 127.0.0.1:<any port> that answers every request 200 "ok" with each
// request header whose name starts with "X-Compat-" sent back as "X-Echoed-<name>: <value>":
// a plugin's fetch request headers come back to it as fetch response headers. One connection at
// a time, closed after each response. Stops in the destructor.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace omnigate::test {

class HeaderEchoServer {
 public:
  HeaderEchoServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("header echo server: cannot listen");
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HeaderEchoServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }
  HeaderEchoServer(const HeaderEchoServer&) = delete;
  HeaderEchoServer& operator=(const HeaderEchoServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/echo"; }

 private:
  void serve() {
    while (!stopping_) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      std::string echoed;
      std::istringstream lines(request.substr(0, request.find("\r\n\r\n")));
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("X-Compat-", 0) == 0) echoed += "X-Echoed-" + line + "\r\n";
      }
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n" + echoed + "\r\nok";
      size_t sent = 0;
      while (sent < response.size()) {
        const ssize_t n = write(fd, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      close(fd);
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace omnigate::test
