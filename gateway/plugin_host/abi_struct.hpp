// Reading structs that cross the plugin ABI. Every ABI struct starts with `struct_size` and only
// ever grows at the end, so a reader copies min(struct_size, sizeof) into a zeroed struct: a
// field the sender does not know reads as zero, a field the host does not know is ignored.
#pragma once

#include <omnigate/plugin_abi.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::plugin_host {

// nullopt when `from` is null or too small to hold even its first field after struct_size.
template <class T>
std::optional<T> read_abi_struct(const T* from) {
  if (from == nullptr || from->struct_size < sizeof(uint32_t)) return std::nullopt;
  T out;
  std::memset(&out, 0, sizeof out);
  std::memcpy(&out, from, std::min<std::size_t>(from->struct_size, sizeof out));
  out.struct_size = static_cast<uint32_t>(sizeof out);
  return out;
}

template <class T>
T make_abi_struct() {
  T out;
  std::memset(&out, 0, sizeof out);
  out.struct_size = static_cast<uint32_t>(sizeof out);
  return out;
}

inline std::string_view view_of(og_str s) {
  return s.len != 0 && s.ptr != nullptr ? std::string_view(s.ptr, s.len) : std::string_view();
}
inline std::string copy_of(og_str s) {
  return std::string(view_of(s));
}
inline og_str og_str_of(std::string_view s) {
  return og_str{s.data(), s.size()};
}

// Writes a NUL-terminated, truncated message into a caller-owned og_error.
inline void write_error(og_error* err, og_status status, std::string_view message) {
  if (err == nullptr) return;
  err->status = status;
  const std::size_t n = std::min(message.size(), sizeof err->message - 1);
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}

}  // namespace omnigate::plugin_host
