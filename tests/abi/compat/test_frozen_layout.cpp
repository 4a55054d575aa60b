// The current plugin_abi.h against the frozen copy of ABI 2.0 (v2_0/omnigate/plugin_abi.h):
// every field of 2.0 is where it was, with its size, and every constant has its value, so a
// 2.0 plugin still runs on today's host and a today's plugin that needs only 2.0 on a 2.0 host.
// A minor may only append (plugins/sdk/ABI.md, "Compatibility test"). layout_table.c is built
// once against each header; the list of what to compare comes from the frozen copy.
#include "layout_table.h"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("the current ABI header keeps every struct field and constant of the frozen 2.0") {
  std::size_t frozen_count = 0;
  std::size_t current_count = 0;
  const og_compat_entry* frozen = og_compat_frozen_table(&frozen_count);
  const og_compat_entry* current = og_compat_current_table(&current_count);
  // Both tables come from one generated list, so they line up entry by entry.
  REQUIRE(frozen_count == current_count);
  REQUIRE(frozen_count > 200);
  for (std::size_t i = 0; i < frozen_count; ++i) {
    const og_compat_entry& was = frozen[i];
    const og_compat_entry& is = current[i];
    INFO(std::string(was.owner) + (was.name[0] != '\0' ? std::string(".") + was.name : ""));
    switch (was.kind) {
      case OG_COMPAT_ENTRY_STRUCT:
        if (was.offset == 1) {
          CHECK(is.size >= was.size);  // size-prefixed: may grow at the end
        } else {
          CHECK(is.size == was.size);  // og_str never grows
        }
        break;
      case OG_COMPAT_ENTRY_FIELD:
        CHECK(is.offset == was.offset);
        CHECK(is.size == was.size);
        break;
      case OG_COMPAT_ENTRY_INT:
        CHECK(is.offset == was.offset);
        break;
      case OG_COMPAT_ENTRY_STRING:
        CHECK(std::string(is.text) == was.text);
        break;
    }
  }
}
