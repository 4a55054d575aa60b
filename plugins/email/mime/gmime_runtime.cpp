#include "gmime_runtime.hpp"

#include <gmime/gmime.h>

namespace omnigate::email {
namespace {

struct GMimeReference {
  GMimeReference() { g_mime_init(); }
  ~GMimeReference() { g_mime_shutdown(); }
  GMimeReference(const GMimeReference&) = delete;
  GMimeReference& operator=(const GMimeReference&) = delete;
};

}  // namespace

void ensure_gmime() {
  // A function-local static: made thread-safely on first use, destroyed at dlclose or exit.
  static const GMimeReference reference;
}

}  // namespace omnigate::email
