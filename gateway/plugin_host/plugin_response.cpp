#include "plugin_host/plugin_response.hpp"

#include "http/response_validation.hpp"
#include "plugin_host/abi_struct.hpp"

namespace omnigate::plugin_host {
namespace {

bool dangling(og_str s) {
  return s.len != 0 && s.ptr == nullptr;
}

}  // namespace

std::string to_http_response(const og_http_response& in, http::Response& out) {
  if (dangling(in.content_type)) return "content_type has a length but no pointer";
  if (dangling(in.body)) return "body has a length but no pointer";
  if (in.header_count != 0 && in.headers == nullptr) return "headers is NULL but header_count > 0";
  // The sizes are checked before anything is copied: a plugin's lengths are not trusted.
  if (in.body.len > max_reply_body_bytes) {
    return "body of " + std::to_string(in.body.len) + " bytes is over the limit of " +
           std::to_string(max_reply_body_bytes);
  }
  if (in.header_count > max_reply_header_count) {
    return std::to_string(in.header_count) + " headers are over the limit of " +
           std::to_string(max_reply_header_count);
  }
  std::size_t header_bytes = in.content_type.len;
  for (std::size_t i = 0; i < in.header_count; ++i) {
    const og_header& h = in.headers[i];
    if (dangling(h.name) || dangling(h.value)) {
      return "headers[" + std::to_string(i) + "] has a length but no pointer";
    }
    header_bytes += h.name.len + h.value.len + 4;
  }
  if (header_bytes > max_reply_header_bytes) {
    return "headers are over the limit of " + std::to_string(max_reply_header_bytes) + " bytes";
  }
  out.status = in.status;
  out.content_type = copy_of(in.content_type);
  out.body = copy_of(in.body);
  out.headers.clear();
  out.headers.reserve(in.header_count);
  for (std::size_t i = 0; i < in.header_count; ++i) {
    out.headers.emplace_back(copy_of(in.headers[i].name), copy_of(in.headers[i].value));
  }
  return http::response_error(out);
}

}  // namespace omnigate::plugin_host
