// Owns one reference to a GObject (GMime's messages, parts, streams), so that every exit of the
// composer — including a thrown ComposeError — releases what it built.
#pragma once

#include <glib-object.h>

#include <memory>

namespace omnigate::email {

struct GObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};

template <typename T>
using GObjectRef = std::unique_ptr<T, GObjectUnref>;

}  // namespace omnigate::email
