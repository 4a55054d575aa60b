// A deliberately small blocking HTTP/1.1 and WebSocket client over POSIX sockets, so the
// server tests control every byte on the wire (partial requests, huge headers, slow readers).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace omnigate::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct WsFrame {
  int opcode = 0;  // 1 text, 2 binary, 8 close
  std::string payload;
  int close_code() const;
};

class TestConnection {
 public:
  explicit TestConnection(std::uint16_t port);  // connects to 127.0.0.1:port
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  void send(const std::string& bytes);
  void close();  // closes our end
  // Reads one response (Content-Length bodies). nullopt if the peer closed first.
  std::optional<RawResponse> read_response();
  // True if the peer closed the connection (reads EOF) within the socket timeout.
  bool peer_closed();

  // Sends the upgrade request for `path` and returns the server's response.
  std::optional<RawResponse> ws_handshake(const std::string& path);
  void ws_send(int opcode, const std::string& payload);  // masked, as a client must
  std::optional<WsFrame> ws_read();

 private:
  bool fill();  // read more bytes into buf_; false on EOF/error/timeout
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection.
std::optional<RawResponse> request(std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& body = {});

}  // namespace omnigate::test
