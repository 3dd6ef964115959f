/* Small helpers of the parse-table side: a deterministic string map and
 * the hash every table uses (FNV-1a: no pointer or address enters a hash,
 * so iteration orders and output never depend on the allocator). */
#include "tsgen_int.h"

#include <string.h>

uint64_t tsgen_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

void strmap_init(struct strmap *m, struct arena *a)
{
    m->arena = a;
    m->cap = 64;
    m->count = 0;
    m->slots = ARENA_NEW_ARRAY(a, struct strmap_slot, m->cap);
}

static uint32_t slot_of(const struct strmap *m, const char *key)
{
    uint64_t h = tsgen_hash_bytes(TSGEN_HASH_SEED, key, strlen(key));
    uint32_t i = (uint32_t)(h & (m->cap - 1));
    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

bool strmap_get(const struct strmap *m, const char *key, uint32_t *out)
{
    uint32_t i = slot_of(m, key);
    if (!m->slots[i].key)
        return false;
    if (out)
        *out = m->slots[i].value;
    return true;
}

void strmap_put(struct strmap *m, const char *key, uint32_t value)
{
    if ((m->count + 1) * 2 > m->cap) {
        struct strmap_slot *old = m->slots;
        uint32_t old_cap = m->cap;
        m->cap *= 2;
        m->slots = ARENA_NEW_ARRAY(m->arena, struct strmap_slot, m->cap);
        for (uint32_t k = 0; k < old_cap; k++)
            if (old[k].key)
                m->slots[slot_of(m, old[k].key)] = old[k];
    }
    uint32_t i = slot_of(m, key);
    if (!m->slots[i].key) {
        m->slots[i].key = key;
        m->count++;
    }
    m->slots[i].value = value;
}
