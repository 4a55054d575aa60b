/* One header's view of every struct field and constant of the frozen ABI 2.0: layout_table.c
 * builds it once against the frozen copy (v2_0/) and once against the current header, and
 * test_frozen_layout.cpp compares the two. */
#ifndef OMNIGATE_TESTS_ABI_COMPAT_LAYOUT_TABLE_H
#define OMNIGATE_TESTS_ABI_COMPAT_LAYOUT_TABLE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum og_compat_entry_kind {
  OG_COMPAT_ENTRY_STRUCT, /* size = sizeof; offset = 1 when size-prefixed (may grow) */
  OG_COMPAT_ENTRY_FIELD,  /* offset and size of one field */
  OG_COMPAT_ENTRY_INT,    /* offset = the constant's value */
  OG_COMPAT_ENTRY_STRING  /* text = the constant's value */
} og_compat_entry_kind;

typedef struct og_compat_entry {
  og_compat_entry_kind kind;
  const char* owner; /* the struct (or the constant's name) */
  const char* name;  /* the field ("" otherwise) */
  long long offset;
  size_t size;
  const char* text;
} og_compat_entry;

/* The table against the frozen copy and against the current header; *count gets its length. */
const og_compat_entry* og_compat_frozen_table(size_t* count);
const og_compat_entry* og_compat_current_table(size_t* count);

#ifdef __cplusplus
}
#endif

#endif
