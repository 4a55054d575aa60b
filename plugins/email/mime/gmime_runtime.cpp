#include "gmime_runtime.hpp"

#include <gmime/gmime.h>

#include <mutex>

namespace omnigate::email {

void ensure_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace omnigate::email
