/* Allocation wrappers: out of memory aborts here, in one place, the way
 * tree-sitter's default allocator does. Input can never cause it because
 * every buffer fed by input is capped (see buf.h). */
#ifndef DW_COMMON_XALLOC_H
#define DW_COMMON_XALLOC_H

#include <stddef.h>

/* Each returns memory owned by the caller (release with free()); never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Reallocates to count*size bytes, aborting on multiplication overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
