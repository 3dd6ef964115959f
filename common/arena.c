#include "arena.h"

#include "compiler.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_MIN_CHUNK ((size_t)16 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *data;
};

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->total = 0;
}

void arena_release(struct arena *a)
{
    /* Cleanups are themselves arena memory, so run them all before freeing
     * any chunk. */
    for (struct arena_cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->data);
    struct arena_chunk *ch = a->head;
    while (ch) {
        struct arena_chunk *next = ch->next;
        free(ch);
        ch = next;
    }
    arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        DW_BUG("arena allocation size overflow: %zu", n);
    struct arena_chunk *ch = a->head;
    if (!ch || ch->size - ch->used < need) {
        /* Chunks double with use so that a large file costs few mallocs; a
         * request larger than that gets a chunk of its own. */
        size_t size = ch ? ch->size * 2 : ARENA_MIN_CHUNK;
        if (size > (size_t)4 * 1024 * 1024)
            size = (size_t)4 * 1024 * 1024;
        if (size < need)
            size = need;
        struct arena_chunk *nc = xmalloc(sizeof *nc + size);
        nc->used = 0;
        nc->size = size;
        if (ch && size == need && ch->size - ch->used >= ARENA_ALIGN) {
            /* Keep allocating from the current chunk; put the big one behind it. */
            nc->next = ch->next;
            ch->next = nc;
        } else {
            nc->next = ch;
            a->head = nc;
        }
        ch = nc;
    }
    void *p = ch->data + ch->used;
    ch->used += need;
    a->total += n;
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        DW_BUG("arena allocation size overflow: %zu * %zu", count, size);
    void *p = arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        DW_BUG("bad format string: %s", fmt);
    char *d = arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return d;
}

void arena_on_release(struct arena *a, void (*fn)(void *), void *data)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}
