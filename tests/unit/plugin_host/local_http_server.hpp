// A tiny blocking HTTP/1.0-style server on 127.0.0.1:<any port> for fetch tests:
//   /hello    → 200 "hi"
//   /big      → 200 with 4096 bytes
//   /redirect → 302 to /hello
//   /echo-headers → 200 "ok" with each request header whose name starts with "X-Compat-" sent
//                   back as "X-Echoed-<name>: <value>" (a fetch's request headers come back as
//                   its response headers)
// One connection at a time, closed after each response. Stops in the destructor.
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

class LocalHttpServer {
 public:
  LocalHttpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("test server: cannot listen");
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LocalHttpServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& host, const std::string& path) const {
    return "http://" + host + ":" + std::to_string(port_) + path;
  }
  int requests() const { return requests_; }

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
      ++requests_;
      const auto first_space = request.find(' ');
      const std::string path =
          first_space == std::string::npos
              ? ""
              : request.substr(first_space + 1,
                               request.find(' ', first_space + 1) - first_space - 1);
      std::string response;
      if (path == "/big") {
        response = reply("200 OK", "", std::string(4096, 'x'));
      } else if (path == "/echo-headers") {
        response = reply("200 OK", echoed_headers(request), "ok");
      } else if (path == "/redirect") {
        response = reply("302 Found", "Location: " + url("127.0.0.1", "/hello") + "\r\n", "");
      } else {
        response = reply("200 OK", "", "hi");
      }
      size_t sent = 0;
      while (sent < response.size()) {
        const ssize_t n = write(fd, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      close(fd);
    }
  }
  static std::string echoed_headers(const std::string& request) {
    std::string echoed;
    std::istringstream lines(request.substr(0, request.find("\r\n\r\n")));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("X-Compat-", 0) == 0) echoed += "X-Echoed-" + line + "\r\n";
    }
    return echoed;
  }
  static std::string reply(const std::string& status, const std::string& headers,
                           const std::string& body) {
    return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n" + headers + "\r\n" + body;
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace omnigate::test
