/* A growable byte buffer, always NUL-terminated, with an optional size cap
 * for buffers fed by input (growing past it fails with ERR_TOO_LARGE rather
 * than exhausting memory). Heap-owned: buf_release frees it. */
#ifndef DW_COMMON_BUF_H
#define DW_COMMON_BUF_H

#include "compiler.h"
#include "span.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;   /* NUL-terminated when cap > 0; NULL before the first write */
    size_t len;   /* bytes in use, excluding the terminator */
    size_t cap;   /* bytes allocated */
    size_t limit; /* largest len allowed; 0 = no limit */
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

/* Initialises an empty buffer; limit 0 means unlimited. Allocates nothing. */
void buf_init(struct buf *b, size_t limit);
/* Frees the memory; b is empty and reusable. */
void buf_release(struct buf *b);
/* Drops the content, keeps the memory. */
void buf_reset(struct buf *b);
/* Makes room for n more bytes. Returns 0 or ERR_TOO_LARGE (b unchanged). */
DW_NODISCARD int buf_reserve(struct buf *b, size_t n);
/* Append operations; each returns 0 or ERR_TOO_LARGE, leaving b unchanged
 * on failure. May move data: pointers into it are invalidated. */
DW_NODISCARD int buf_append(struct buf *b, const void *p, size_t n);
DW_NODISCARD int buf_append_str(struct buf *b, struct str s);
DW_NODISCARD int buf_append_cstr(struct buf *b, const char *s);
DW_NODISCARD int buf_append_char(struct buf *b, char c);
DW_NODISCARD DW_PRINTF(2, 3) int buf_printf(struct buf *b, const char *fmt, ...);
DW_NODISCARD DW_PRINTF(2, 0) int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Gives back the memory beyond the content (for buffers kept a long
 * time, such as one report chunk per file until all are printed). */
void buf_shrink(struct buf *b);
/* Shortens the content to len (no-op when already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* Hands the heap memory to the caller (free() it) and empties b. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);
/* The content as a slice; borrowed, valid until the next write. */
static inline struct str buf_str(const struct buf *b)
{
    return (struct str){ b->data ? b->data : "", b->len };
}
/* The content as a C string; borrowed, valid until the next write. */
static inline const char *buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

#endif
