/* A region allocator: everything derived from one Dockerfile (or one config,
 * one grammar) is allocated from one arena and freed with it at once.
 * Resources that are not memory (file descriptors, library handles) are
 * registered as cleanups and released, newest first, when the arena is. */
#ifndef DW_COMMON_ARENA_H
#define DW_COMMON_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
    struct arena_chunk *head;       /* newest chunk; allocation happens here */
    struct arena_cleanup *cleanups; /* newest first */
    size_t total;                   /* bytes handed out, for statistics */
};

/* Initialises an empty arena; allocates nothing. */
void arena_init(struct arena *a);
/* Runs the cleanups (newest first) and frees every chunk; the arena is empty
 * and reusable afterwards. Every pointer it handed out becomes invalid. */
void arena_release(struct arena *a);

/* Returns n bytes aligned for any type, owned by the arena; never NULL
 * (out of memory aborts). n may be 0. */
void *arena_alloc(struct arena *a, size_t n);
/* Like arena_alloc, zero-filled; aborts if count*size overflows. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
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
