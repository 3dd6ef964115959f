/* A type-generic growable array on the heap, in the style of tree-sitter's
 * Array(T):
 *
 *     VEC(int) v = VEC_INIT;
 *     VEC_PUSH(&v, 42);
 *     for (size_t i = 0; i < v.len; i++) use(v.items[i]);
 *     VEC_RELEASE(&v);
 *
 * Growth aborts on out-of-memory (xalloc); vectors are for data whose size
 * the program controls or that was already capped where it was read. */
#ifndef DW_COMMON_VEC_H
#define DW_COMMON_VEC_H

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *items;                                                                                  \
        size_t len, cap;                                                                           \
    }

#define VEC_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Ensures room for n more items; invalidates pointers into items. */
#define VEC_RESERVE(v, n)                                                                          \
    vec_grow_((void **)&(v)->items, &(v)->cap, (v)->len + (n), sizeof *(v)->items)
/* Appends x; invalidates pointers into items. */
#define VEC_PUSH(v, x)                                                                             \
    do {                                                                                           \
        VEC_RESERVE((v), 1);                                                                       \
        (v)->items[(v)->len++] = (x);                                                              \
    } while (0)
/* Appends a zeroed item and returns a pointer to it (valid until the next growth). */
#define VEC_PUSH_ZERO(v)                                                                           \
    (VEC_RESERVE((v), 1), memset(&(v)->items[(v)->len], 0, sizeof *(v)->items),                    \
     &(v)->items[(v)->len++])
#define VEC_POP(v) ((v)->items[--(v)->len])
/* &items[i], or NULL while the vector has no storage (items + 0 on a NULL
 * pointer is undefined behaviour). */
#define VEC_PTR(v, i) ((v)->items ? (v)->items + (i) : NULL)
#define VEC_LAST(v) ((v)->items[(v)->len - 1])
#define VEC_CLEAR(v) ((v)->len = 0)
/* Frees the storage; the vector is empty and reusable. */
#define VEC_RELEASE(v)                                                                             \
    do {                                                                                           \
        free((v)->items);                                                                          \
        (v)->items = NULL;                                                                         \
        (v)->len = (v)->cap = 0;                                                                   \
    } while (0)
/* Removes item i, shifting the rest down. */
#define VEC_REMOVE(v, i)                                                                           \
    do {                                                                                           \
        size_t vec_i_ = (i);                                                                       \
        memmove(&(v)->items[vec_i_], &(v)->items[vec_i_ + 1],                                      \
                ((v)->len - vec_i_ - 1) * sizeof *(v)->items);                                     \
        (v)->len--;                                                                                \
    } while (0)
/* Inserts x at index i, shifting the rest up. */
#define VEC_INSERT(v, i, x)                                                                        \
    do {                                                                                           \
        size_t vec_i_ = (i);                                                                       \
        VEC_RESERVE((v), 1);                                                                       \
        memmove(&(v)->items[vec_i_ + 1], &(v)->items[vec_i_],                                      \
                ((v)->len - vec_i_) * sizeof *(v)->items);                                         \
        (v)->items[vec_i_] = (x);                                                                  \
        (v)->len++;                                                                                \
    } while (0)

static inline void vec_grow_(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < need)
        c *= 2;
    *items = xreallocarray(*items, c, size);
    *cap = c;
}

#endif
