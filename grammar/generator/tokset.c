#include "tsgen.h"

#include <string.h>

void tokset_init(struct tokset *s, struct arena *a, uint32_t n_tokens)
{
    s->n_words = (n_tokens + 63) / 64;
    s->bits = ARENA_NEW_ARRAY(a, uint64_t, s->n_words ? s->n_words : 1);
}

bool tokset_union(struct tokset *a, const struct tokset *b)
{
    bool changed = false;
    for (uint32_t i = 0; i < a->n_words && i < b->n_words; i++) {
        uint64_t before = a->bits[i];
        a->bits[i] |= b->bits[i];
        changed |= a->bits[i] != before;
    }
    return changed;
}

bool tokset_equal(const struct tokset *a, const struct tokset *b)
{
    uint32_t n = a->n_words > b->n_words ? a->n_words : b->n_words;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = i < a->n_words ? a->bits[i] : 0, y = i < b->n_words ? b->bits[i] : 0;
        if (x != y)
            return false;
    }
    return true;
}

bool tokset_is_empty(const struct tokset *s)
{
    for (uint32_t i = 0; i < s->n_words; i++)
        if (s->bits[i])
            return false;
    return true;
}
