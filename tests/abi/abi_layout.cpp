// The same frozen layout, checked from C++ (the header's extern "C" view must agree with C's).
#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include "abi_layout_expectations.h"

#include <cstddef>

#define CHECK_OFFSET(type, field, offset) \
  static_assert(offsetof(type, field) == (offset), #type "." #field " moved");
#define CHECK_SIZE(type, size) static_assert(sizeof(type) == (size), #type " changed size");
OG_ABI_LAYOUT(CHECK_OFFSET, CHECK_SIZE)

extern "C" int og_abi_layout_c_has_field(const og_send_result* r);

TEST_CASE("OG_HAS_FIELD tells an old short struct from a current one (C and C++ agree)") {
  og_send_result current{};
  current.struct_size = sizeof current;
  og_send_result old_sender{};
  old_sender.struct_size = offsetof(og_send_result, retry_after_ms);  // before the field existed
  CHECK(OG_HAS_FIELD(&current, og_send_result, retry_after_ms));
  CHECK_FALSE(OG_HAS_FIELD(&old_sender, og_send_result, retry_after_ms));
  CHECK(og_abi_layout_c_has_field(&current) == 1);
  CHECK(og_abi_layout_c_has_field(&old_sender) == 0);
}
