/* Byte spans and string slices. Positions are half-open uint32_t byte
 * ranges, as in tree-sitter; line/column are computed only for output. */
#ifndef DW_COMMON_SPAN_H
#define DW_COMMON_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* [start, end) in bytes. */
struct span {
    uint32_t start, end;
};

/* A borrowed, not necessarily NUL-terminated string slice. */
struct str {
    const char *ptr;
    size_t len;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })
/* For printf: printf("%.*s", STR_FMT(s)). */
#define STR_FMT(s) (int)(s).len, (s).ptr

static inline struct span span_make(uint32_t start, uint32_t end)
{
    return (struct span){ start, end };
}
static inline uint32_t span_len(struct span s)
{
    return s.end - s.start;
}
static inline bool span_contains(struct span outer, struct span inner)
{
    return outer.start <= inner.start && inner.end <= outer.end;
}
/* Half-open ranges overlap when they share at least one byte; touching
 * ranges and empty ranges at a shared point do not. */
static inline bool span_overlaps(struct span a, struct span b)
{
    return a.start < b.end && b.start < a.end;
}

static inline struct str str_make(const char *p, size_t n)
{
    return (struct str){ p, n };
}
static inline struct str str_from_cstr(const char *s)
{
    return (struct str){ s, s ? strlen(s) : 0 };
}
static inline bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}
static inline bool str_eq_cstr(struct str a, const char *b)
{
    return str_eq(a, str_from_cstr(b));
}
/* ASCII case-insensitive comparison. */
bool str_eq_nocase(struct str a, struct str b);
bool str_starts_with(struct str s, struct str prefix);
bool str_ends_with(struct str s, struct str suffix);
/* Sub-slice [from, to) clamped to the string. */
struct str str_slice(struct str s, size_t from, size_t to);
/* Drops leading and trailing ASCII blanks (space, tab, \r, \n, \v, \f). */
struct str str_trim(struct str s);
/* Whether needle occurs in s (byte for byte). */
bool str_contains(struct str s, const char *needle);
/* Index of the first c at or after from, or -1. */
long str_find_char(struct str s, char c, size_t from);
/* strcmp-like byte order. */
int str_cmp(struct str a, struct str b);

/* A table of line starts for converting byte offsets to 1-based line and
 * byte column; see lines_locate. */
struct line_index {
    uint32_t *starts; /* starts[i] is the offset of line i+1 */
    uint32_t count;
};
struct arena;
/* Builds the index of text (LF ends a line) in arena memory. */
void line_index_build(struct line_index *li, struct arena *a, const char *text, size_t len);
/* Converts an offset to a 1-based line and a 1-based byte column. */
void line_index_locate(const struct line_index *li, uint32_t offset, uint32_t *line, uint32_t *col);

#endif
