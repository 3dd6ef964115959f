#include "arena.h"

#include "compiler.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks kept for reuse are made inaccessible to the memory checkers
 * until they are handed out again, so that a pointer kept past
 * arena_release is still caught, and reused memory reads as
 * uninitialised under valgrind as fresh malloc memory does. */
#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>) && defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_ASAN 1
#endif
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ARENA_VALGRIND 1
#endif
#endif

#define ARENA_ALIGN 16
#define ARENA_MIN_CHUNK ((size_t)16 * 1024)
/* Released chunks each thread keeps for its next arenas: the CLI lints
 * file after file with one arena each, and a malloc and free of every
 * chunk cost more than the model's own allocations. Bounded so that a
 * huge file's chunks go back to malloc. */
#define ARENA_CACHE_CHUNKS 4
#define ARENA_CACHE_BYTES ((size_t)1024 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct chunk_cache {
    struct arena_chunk *head;
    unsigned n;
    size_t bytes;
};

/* The thread-local head keeps cached chunks reachable for leak checkers;
 * the key's destructor frees them when a thread ends (the main thread's
 * live until exit). */
static _Thread_local struct chunk_cache cache;
static pthread_key_t cache_key;
static bool cache_key_ok;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void mark_unused(struct arena_chunk *ch)
{
#ifdef ARENA_ASAN
    ASAN_POISON_MEMORY_REGION(ch->data, ch->size);
#endif
#ifdef ARENA_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(ch->data, ch->size);
#endif
    (void)ch;
}

static void mark_reused(struct arena_chunk *ch)
{
#ifdef ARENA_ASAN
    ASAN_UNPOISON_MEMORY_REGION(ch->data, ch->size);
#endif
#ifdef ARENA_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(ch->data, ch->size);
#endif
    (void)ch;
}

static void cache_free_all(void *unused)
{
    (void)unused;
    struct arena_chunk *ch = cache.head;
    while (ch) {
        struct arena_chunk *next = ch->next;
        mark_reused(ch);
        free(ch);
        ch = next;
    }
    cache.head = NULL;
    cache.n = 0;
    cache.bytes = 0;
}

static void cache_key_init(void)
{
    cache_key_ok = pthread_key_create(&cache_key, cache_free_all) == 0;
}

/* Keeps ch for reuse, or frees it when the cache is full. */
static void chunk_put(struct arena_chunk *ch)
{
    if (cache.n >= ARENA_CACHE_CHUNKS || ch->size > ARENA_CACHE_BYTES - cache.bytes) {
        free(ch);
        return;
    }
    if (!cache.head) {
        /* First use in this thread: have the chunks freed when it ends
         * (a non-NULL value makes the destructor run). */
        pthread_once(&cache_key_once, cache_key_init);
        if (cache_key_ok)
            pthread_setspecific(cache_key, &cache);
    }
    ch->next = cache.head;
    cache.head = ch;
    cache.n++;
    cache.bytes += ch->size;
    mark_unused(ch);
}

/* The largest cached chunk of at least need bytes, or NULL. */
static struct arena_chunk *chunk_take(size_t need)
{
    struct arena_chunk **best = NULL;
    for (struct arena_chunk **p = &cache.head; *p; p = &(*p)->next)
        if ((*p)->size >= need && (!best || (*p)->size > (*best)->size))
            best = p;
    if (!best)
        return NULL;
    struct arena_chunk *ch = *best;
    *best = ch->next;
    cache.n--;
    cache.bytes -= ch->size;
    mark_reused(ch);
    return ch;
}

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
    a->next = a->end = NULL;
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
        chunk_put(ch);
        ch = next;
    }
    arena_init(a);
}

_Static_assert(ARENA_ALIGN == 16, "arena_alloc in arena.h rounds to 16");

_Noreturn void arena_overflow(size_t count, size_t size)
{
    DW_BUG("arena allocation size overflow: %zu * %zu", count, size);
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        DW_BUG("arena allocation size overflow: %zu", n);
    struct arena_chunk *ch = a->head;
    if (ch) /* the inline path bumped a->next only */
        ch->used = (size_t)(a->next - ch->data);
    if (!ch || ch->size - ch->used < need) {
        /* Chunks double with use so that a large file costs few mallocs; a
         * request larger than that gets a chunk of its own. */
        size_t size = ch ? ch->size * 2 : ARENA_MIN_CHUNK;
        if (size > (size_t)4 * 1024 * 1024)
            size = (size_t)4 * 1024 * 1024;
        if (size < need)
            size = need;
        bool own = size == need;
        struct arena_chunk *nc = chunk_take(need);
        if (!nc) {
            nc = xmalloc(sizeof *nc + size);
            nc->size = size;
        }
        nc->used = 0;
        if (ch && own && ch->size - ch->used >= ARENA_ALIGN) {
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
    a->next = a->head->data + a->head->used;
    a->end = a->head->data + a->head->size;
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
