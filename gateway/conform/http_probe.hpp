// One HTTP/1.1 request over a real TCP connection to the child's listener, with a deadline —
// written by hand (not a client library) so that any bytes can be sent and a peer that dies or
// never answers is an outcome, not an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace omnigate::conform {

struct HttpProbe {
  std::string method;
  std::string target;        // path + optional "?query"
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

struct ProbeAnswer {
  enum class Kind {
    answered,   // a status line came back
    timed_out,  // nothing within the deadline
    broken,     // the connection failed or closed before a status line
  };
  Kind kind = Kind::broken;
  int status = 0;
  std::string error;  // when broken
};

ProbeAnswer send_probe(std::uint16_t port, const HttpProbe& probe,
                       std::chrono::milliseconds timeout);

}  // namespace omnigate::conform
