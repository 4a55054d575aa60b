// Owning handles for what GMime and GLib hand out, so that every early return of the reader
// releases them: GObjects (messages, parsers, streams, address lists) and g_malloc'ed strings.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace omnigate::email {

struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// A g_malloc'ed C string as a std::string (empty for NULL); the C string is freed.
inline std::string take_gstring(char* text) {
  if (text == nullptr) return {};
  std::string copy(text);
  g_free(text);
  return copy;
}

}  // namespace omnigate::email
