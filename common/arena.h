/* A region allocator: everything derived from one Dockerfile (or one config,
 * one grammar) is allocated from one arena and freed with it at once.
 * Resources that are not memory (file descriptors, library handles) are
 * registered as cleanups and released, newest first, when the arena is. */
#ifndef DW_COMMON_ARENA_H
#define DW_COMMON_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
    struct arena_chunk *head;       /* newest chunk; allocation happens here */
    struct arena_cleanup *cleanups; /* newest first */
    size_t total;                   /* bytes handed out, for statistics */
    unsigned char *next, *end;      /* the free part of head (NULL when none) */
};

/* Initialises an empty arena; allocates nothing. */
void arena_init(struct arena *a);
/* Runs the cleanups (newest first) and frees every chunk; the arena is empty
 * and reusable afterwards. Every pointer it handed out becomes invalid. */
void arena_release(struct arena *a);

/* Internal to the inline functions below: a new chunk, or an overflow. */
void *arena_alloc_slow(struct arena *a, size_t n);
_Noreturn void arena_overflow(size_t count, size_t size);

/* Returns n bytes aligned for any type, owned by the arena; never NULL
 * (out of memory aborts). n may be 0. */
static inline void *arena_alloc(struct arena *a, size_t n)
{
    /* A bump of the head chunk, inline: the model and the rules allocate
     * on every hot path, and the call cost as much as the bump. need is 0
     * for n == 0 and when rounding overflows: both take the slow path. */
    size_t need = (n + 15) & ~(size_t)15;
    if (need - 1 < (size_t)((uintptr_t)a->end - (uintptr_t)a->next)) {
        void *p = a->next;
        a->next += need;
        a->total += n;
        return p;
    }
    return arena_alloc_slow(a, n);
}

/* Like arena_alloc, zero-filled; aborts if count*size overflows. */
static inline void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        arena_overflow(count, size);
    void *p = arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}
/* Copies n bytes into the arena and appends a NUL terminator. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Registers fn(data) to run when the arena is released. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *data);

#define ARENA_NEW(a, type) ((type *)arena_calloc((a), 1, sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, n) ((type *)arena_calloc((a), (n), sizeof(type)))

#endif
