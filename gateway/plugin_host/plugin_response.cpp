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
  // The sizes are checked before anything is copied: a plugin's lengths are not trusted.
  if (in.body.len > max_reply_body_bytes) {
    return "body of " + std::to_string(in.body.len) + " bytes is over the limit of " +
           std::to_string(max_reply_body_bytes);
  }
  if (in.header_count > max_reply_header_count) {
    return std::to_string(in.header_count) + " headers are over the limit of " +
           std::to_string(max_reply_header_count);
  }
  std::string array_error;
  const auto headers = read_abi_array(in.headers, in.header_count, array_error);
  if (!headers) return "headers" + array_error;
  std::size_t header_bytes = in.content_type.len;
  for (std::size_t i = 0; i < headers->size(); ++i) {
    const og_header& h = (*headers)[i];
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
  out.headers.reserve(headers->size());
  for (const og_header& h : *headers) out.headers.emplace_back(copy_of(h.name), copy_of(h.value));
  return http::response_error(out);
}

}  // namespace omnigate::plugin_host
