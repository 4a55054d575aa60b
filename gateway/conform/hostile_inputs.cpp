#include "conform/hostile_inputs.hpp"

#include <cstdio>

namespace omnigate::conform {
namespace {

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

}  // namespace

std::vector<HostileRequest> fixed_requests(const std::string& method, const std::string& path,
                                           std::size_t huge_bytes) {
  const std::string m = method.empty() ? "POST" : method;
  std::mt19937_64 rng(0x0c0ffee);  // the same "garbage" every run: reproducible reports
  std::string binary = random_bytes(rng, 4096);
  binary[0] = '\0';  // a NUL first: a plugin treating the body as a C string sees ""
  std::vector<HostileRequest> out;
  out.push_back({kRuleEmptyBody, {m, path, "", "", {}}});
  out.push_back({kRuleEmptyBody, {m, path, "application/x-www-form-urlencoded", "", {}}});
  out.push_back(
      {kRuleHugeBody, {m, path, "application/octet-stream", std::string(huge_bytes, 'A'), {}}});
  out.push_back({kRuleBinaryBody, {m, path, "application/octet-stream", binary, {}}});
  out.push_back({kRuleBinaryBody, {m, path, "application/x-www-form-urlencoded", binary, {}}});
  out.push_back(
      {kRuleContentType,
       {m, path, "application/json", R"({"From":"+14155550100","Body":[1,{"x":null}]})", {}}});
  out.push_back({kRuleContentType, {m, path, "text/xml", "<Body>hello</Body>", {}}});
  out.push_back({kRuleContentType,
                 {m,
                  path,
                  "multipart/form-data; boundary=conform",
                  "--conform\r\nContent-Disposition: form-data\r\n\r\nx",
                  {}}});
  out.push_back(
      {kRuleContentType,
       {m, path, "application/x-www-form-urlencoded", "%%%=&&=%zz&Body=%E2%82&From=%00&=", {}}});
  return out;
}

HttpProbe random_request(const std::string& method, const std::string& path, std::mt19937_64& rng) {
  HttpProbe p;
  p.method = method.empty() ? "POST" : method;
  p.target = path;
  if (rng() % 4 == 0) {
    // Random bytes in the query, percent-encoded so the request line stays parseable.
    static const char* hex = "0123456789ABCDEF";
    p.target += '?';
    for (std::size_t i = 0, n = rng() % 64; i < n; ++i) {
      const unsigned char c = static_cast<unsigned char>(rng() & 0xff);
      if (i % 7 == 3) {
        p.target += (c & 1) ? '&' : '=';
      } else {
        p.target += '%';
        p.target += hex[c >> 4];
        p.target += hex[c & 15];
      }
    }
  }
  p.content_type = "application/octet-stream";
  p.body = random_bytes(rng, 1 + rng() % 8192);
  return p;
}

std::string escape_bytes(std::string_view data, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < data.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(data[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (data.size() > max) out += "...";
  return out;
}

std::string describe_request(const HttpProbe& probe) {
  std::string out = probe.method + ' ' + escape_bytes(probe.target, 80);
  out += probe.content_type.empty() ? ", no Content-Type" : ", Content-Type: " + probe.content_type;
  out += ", " + std::to_string(probe.body.size()) + "-byte body";
  if (!probe.body.empty()) out += " \"" + escape_bytes(probe.body) + '"';
  return out;
}

}  // namespace omnigate::conform
