/* Compiled as C99 (the header must stay valid C) and as C11, where the frozen layout is also
 * checked at compile time. Nothing to run: a broken layout fails the build. */
#include <omnigate/plugin_abi.h>

#include "abi_layout_expectations.h"

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define CHECK_OFFSET(type, field, offset) \
  _Static_assert(offsetof(type, field) == (offset), #type "." #field " moved");
#define CHECK_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " changed size");
OG_ABI_LAYOUT(CHECK_OFFSET, CHECK_SIZE)
#endif

/* OG_HAS_FIELD must be usable from C. */
int og_abi_layout_c_has_field(const og_send_result* r) {
  return OG_HAS_FIELD(r, og_send_result, retry_after_ms);
}
