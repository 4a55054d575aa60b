// Reading structs that cross the plugin ABI. Every ABI struct starts with `struct_size` and only
// ever grows at the end, so a reader copies min(struct_size, sizeof) into a zeroed struct: a
// field the sender does not know reads as zero, a field the host does not know is ignored.
// Arrays are stepped by the sender's element size (its elements' struct_size), never ours.
#pragma once

#include <omnigate/plugin_abi.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The elements of an array the plugin sent, each copied as read_abi_struct does and stepped by
// the first element's struct_size. nullopt, with `error` naming the problem (written to follow
// the array's name: " is NULL ...", "[2]: ..."), when the pointer
// is NULL with a count, or an element's struct_size is too small, misaligned, or differs from
// the first's (one array is one C type, so its elements cannot differ).
template <class T>
std::optional<std::vector<T>> read_abi_array(const T* items, std::size_t count,
                                             std::string& error) {
  std::vector<T> out;
  if (count == 0) return out;
  if (items == nullptr) {
    error = " is NULL but its count is " + std::to_string(count);
    return std::nullopt;
  }
  const uint32_t stride = items[0].struct_size;
  if (stride < sizeof(uint32_t) || stride % alignof(T) != 0) {
    error = "[0]: struct_size " + std::to_string(stride) + " is not a valid element size";
    return std::nullopt;
  }
  out.reserve(count);
  const auto* base = reinterpret_cast<const unsigned char*>(items);
  for (std::size_t i = 0; i < count; ++i) {
    const auto* element = reinterpret_cast<const T*>(base + i * stride);
    if (element->struct_size != stride) {
      error = "[" + std::to_string(i) + "]: struct_size " + std::to_string(element->struct_size) +
              " differs from the first element's " + std::to_string(stride);
      return std::nullopt;
    }
    out.push_back(*read_abi_struct(element));
  }
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

// Writes the status and a NUL-terminated, truncated message into a caller-owned og_error — as
// much as its struct_size covers (an og_error of a later minor may be larger; one without a
// struct_size gets nothing).
inline void write_error(og_error* err, og_status status, std::string_view message) {
  if (err == nullptr || err->struct_size < offsetof(og_error, message)) return;
  err->status = status;
  const std::size_t room =
      std::min<std::size_t>(err->struct_size, sizeof *err) - offsetof(og_error, message);
  if (room == 0) return;
  const std::size_t n = std::min(message.size(), room - 1);
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}

inline og_error make_abi_error() {
  return og_error OG_ERROR_INIT;
}

inline og_header abi_header(std::string_view name, std::string_view value) {
  auto h = make_abi_struct<og_header>();
  h.name = og_str_of(name);
  h.value = og_str_of(value);
  return h;
}

}  // namespace omnigate::plugin_host
