#include "span.h"

#include "arena.h"

#include <string.h>

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool str_eq_nocase(struct str a, struct str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
            return false;
    return true;
}

bool str_starts_with(struct str s, struct str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool str_ends_with(struct str s, struct str suffix)
{
    return s.len >= suffix.len &&
           (suffix.len == 0 || memcmp(s.ptr + s.len - suffix.len, suffix.ptr, suffix.len) == 0);
}

struct str str_slice(struct str s, size_t from, size_t to)
{
    if (to > s.len)
        to = s.len;
    if (from > to)
        from = to;
    return str_make(s.ptr ? s.ptr + from : NULL, to - from);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct str str_trim(struct str s)
{
    size_t b = 0, e = s.len;
    while (b < e && is_blank(s.ptr[b]))
        b++;
    while (e > b && is_blank(s.ptr[e - 1]))
        e--;
    return str_slice(s, b, e);
}

bool str_contains(struct str s, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return true;
    for (size_t i = 0; i + n <= s.len; i++)
        if (s.ptr[i] == needle[0] && !memcmp(s.ptr + i, needle, n))
            return true;
    return false;
}

long str_find_char(struct str s, char c, size_t from)
{
    if (from >= s.len)
        return -1;
    const char *p = memchr(s.ptr + from, c, s.len - from);
    return p ? (long)(p - s.ptr) : -1;
}

int str_cmp(struct str a, struct str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

void line_index_build(struct line_index *li, struct arena *a, const char *text, size_t len)
{
    /* memchr skips a line at a time: every file is indexed once. */
    const char *end = text + len, *p;
    uint32_t n = 1;
    for (p = text; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    li->starts = arena_alloc(a, sizeof(uint32_t) * n);
    li->count = n;
    uint32_t k = 0;
    li->starts[k++] = 0;
    for (p = text; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        li->starts[k++] = (uint32_t)(p - text + 1);
}

void line_index_locate(const struct line_index *li, uint32_t offset, uint32_t *line, uint32_t *col)
{
    /* The greatest start <= offset. */
    uint32_t lo = 0, hi = li->count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (li->starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = offset - li->starts[lo] + 1;
}
