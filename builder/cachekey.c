#include "builder/cachekey.h"

#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every field goes in as a one-byte tag, then a length-prefixed value, so
 * that ("ab", "c") and ("a", "bc") never collide and a missing field
 * differs from an empty one. */
static void put_u64(struct bld_sha256 *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    bld_sha256_update(h, b, sizeof b);
}

static void put_field(struct bld_sha256 *h, char tag, const void *p, size_t n)
{
    bld_sha256_update(h, &tag, 1);
    put_u64(h, n);
    bld_sha256_update(h, p, n);
}

/* A string, or its absence (which differs from ""). */
static void put_str(struct bld_sha256 *h, char tag, const char *s)
{
    bld_sha256_update(h, &tag, 1);
    unsigned char present = s ? 1 : 0;
    bld_sha256_update(h, &present, 1);
    if (s) {
        put_u64(h, strlen(s));
        bld_sha256_update(h, s, strlen(s));
    }
}

static int cmp_kv(const void *x, const void *y)
{
    const struct bld_kv *a = *(const struct bld_kv *const *)x;
    const struct bld_kv *b = *(const struct bld_kv *const *)y;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    /* Same key twice: order by value, NULL first, to stay deterministic. */
    if (!a->value || !b->value)
        return a->value ? 1 : b->value ? -1 : 0;
    return strcmp(a->value, b->value);
}

/* Hashes a key/value list in key order. */
static int put_kvs(struct bld_sha256 *h, char tag, const struct bld_kv *kv, size_t n,
                   struct err *err)
{
    put_u64(h, n);
    if (!n)
        return 0;
    const struct bld_kv **sorted = xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].key) {
            free(sorted);
            return err_set(err, ERR_USAGE, "cache key: an option or argument has no name");
        }
        sorted[i] = &kv[i];
    }
    qsort(sorted, n, sizeof *sorted, cmp_kv);
    for (size_t i = 0; i < n; i++) {
        put_str(h, tag, sorted[i]->key);
        put_str(h, 'v', sorted[i]->value);
    }
    free(sorted);
    return 0;
}

int bld_key_base(const struct bld_digest *manifest, const char *platform, struct bld_digest *out,
                 struct err *err)
{
    struct bld_sha256 h;
    int rc = bld_sha256_init(&h, err);
    if (rc)
        return rc;
    put_str(&h, 'K', "dockwright base v1");
    if (manifest)
        put_field(&h, 'M', manifest->bytes, sizeof manifest->bytes);
    else
        put_str(&h, 'S', "scratch");
    put_str(&h, 'P', platform);
    bld_sha256_final(&h, out);
    return 0;
}

/* Everything but the parent. */
static int put_step(struct bld_sha256 *h, const struct bld_step_input *in, struct err *err)
{
    put_str(h, 'P', in->platform);
    put_str(h, 'I', in->instruction);
    int rc = put_kvs(h, 'A', in->args, in->n_args, err);
    if (rc)
        return rc;
    if (in->content)
        put_field(h, 'C', in->content->bytes, sizeof in->content->bytes);
    put_u64(h, in->n_mounts);
    for (size_t i = 0; i < in->n_mounts; i++) {
        const struct bld_key_mount *m = &in->mounts[i];
        if ((rc = put_kvs(h, 'O', m->opts, m->n_opts, err)))
            return rc;
        if (m->content)
            put_field(h, 'B', m->content->bytes, sizeof m->content->bytes);
    }
    put_u64(h, in->link);
    return 0;
}

static int one_key(const struct bld_step_input *in, bool with_parent, struct bld_digest *out,
                   struct err *err)
{
    struct bld_sha256 h;
    int rc = bld_sha256_init(&h, err);
    if (rc)
        return rc;
    put_str(&h, 'K', "dockwright step v1");
    if (with_parent && in->parent)
        put_field(&h, 'p', in->parent->bytes, sizeof in->parent->bytes);
    if ((rc = put_step(&h, in, err))) {
        bld_sha256_release(&h);
        return rc;
    }
    bld_sha256_final(&h, out);
    return 0;
}

int bld_step_key(const struct bld_step_input *in, struct bld_step_keys *out, struct err *err)
{
    if (!in->instruction)
        return err_set(err, ERR_USAGE, "cache key: the step has no instruction text");
    int rc = one_key(in, true, &out->chain, err);
    if (rc)
        return rc;
    if (!in->link) {
        out->layer = out->chain;
        return 0;
    }
    return one_key(in, false, &out->layer, err);
}
