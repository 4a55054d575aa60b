/* Compiled twice (tests/abi/compat/CMakeLists.txt): against the frozen ABI 2.0 copy with
 * OG_COMPAT_TABLE_FN=og_compat_frozen_table, against the current header with
 * og_compat_current_table. The list of entries is generated from the frozen copy, so a field or
 * constant removed from the current header fails to compile here. */
#include <omnigate/plugin_abi.h>

#include "layout_table.h"

#define OG_COMPAT_STRUCT(type, growable) \
  {OG_COMPAT_ENTRY_STRUCT, #type, "", growable, sizeof(type), ""},
#define OG_COMPAT_FIELD(type, field)                                           \
  {OG_COMPAT_ENTRY_FIELD,     #type, #field, (long long)offsetof(type, field), \
   sizeof(((type*)0)->field), ""},
#define OG_COMPAT_INT(name) {OG_COMPAT_ENTRY_INT, #name, "", (long long)(name), 0, ""},
#define OG_COMPAT_STRING(name) {OG_COMPAT_ENTRY_STRING, #name, "", 0, 0, name},

static const og_compat_entry table[] = {
#include "frozen_fields.inc"
};

const og_compat_entry* OG_COMPAT_TABLE_FN(size_t* count) {
  *count = sizeof table / sizeof table[0];
  return table;
}
