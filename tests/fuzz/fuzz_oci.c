/* libFuzzer target for the OCI objects a registry or an image archive
 * sends (builder/oci.h): the input is read as an image manifest, an image
 * index, an image configuration and an oci-layout file. Errors are
 * expected; crashes, sanitizer reports and broken invariants (abort) are
 * not: a failure has a message and one of the documented codes, and what
 * parsed is written as canonical JSON that parses back and writes the same
 * bytes again (the digest of a rewritten object is stable). */
#include "builder/oci.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const struct err *e)
{
    if (rc != e->code || !e->msg[0])
        abort();
    if (rc != ERR_SYNTAX && rc != ERR_INVALID && rc != ERR_TOO_LARGE && rc != ERR_UNSUPPORTED)
        abort();
}

static void check_descriptor(const struct bld_descriptor *d)
{
    if (!d->media_type || !d->media_type[0] || d->size < 0)
        abort();
    for (size_t i = 0; i < d->n_annotations; i++)
        if (!d->annotations[i].key || !d->annotations[i].value)
            abort();
}

/* The canonical bytes of one kind of object: parse, write, parse the
 * writing, write again; both writings must be equal. */
enum kind { K_MANIFEST, K_INDEX, K_CONFIG };

static int parse_write(enum kind k, const char *json, size_t len, struct arena *a, struct buf *out,
                       struct err *e)
{
    int rc;
    switch (k) {
    case K_MANIFEST: {
        struct bld_manifest m;
        if ((rc = bld_manifest_parse(json, len, "fuzz manifest", a, &m, e)))
            return rc;
        check_descriptor(&m.config);
        for (size_t i = 0; i < m.n_layers; i++)
            check_descriptor(&m.layers[i]);
        return bld_manifest_write(&m, out, e);
    }
    case K_INDEX: {
        struct bld_index ix;
        if ((rc = bld_index_parse(json, len, "fuzz index", a, &ix, e)))
            return rc;
        for (size_t i = 0; i < ix.n_manifests; i++)
            check_descriptor(&ix.manifests[i]);
        return bld_index_write(&ix, out, e);
    }
    case K_CONFIG: {
        struct bld_image_config c;
        if ((rc = bld_config_parse(json, len, "fuzz config", a, &c, e)))
            return rc;
        return bld_config_write(&c, out, e);
    }
    }
    abort();
}

static void round_trip(enum kind k, const char *json, size_t len)
{
    struct arena a;
    arena_init(&a);
    struct buf one = BUF_INIT, two = BUF_INIT;
    struct err e;
    int rc = parse_write(k, json, len, &a, &one, &e);
    if (rc) {
        if (getenv("DW_FUZZ_VERBOSE"))
            fprintf(stderr, "fuzz_oci: %s\n", e.msg); /* to check seeds */
        check_err(rc, &e);
    } else {
        if (parse_write(k, one.data, one.len, &a, &two, &e) != 0)
            abort(); /* what we write must read back */
        if (one.len != two.len || memcmp(one.data, two.data, one.len) != 0)
            abort();
    }
    buf_release(&one);
    buf_release(&two);
    arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    const char *json = (const char *)data;
    round_trip(K_MANIFEST, json, size);
    round_trip(K_INDEX, json, size);
    round_trip(K_CONFIG, json, size);
    struct err e;
    int rc = bld_layout_check(json, size, "fuzz oci-layout", &e);
    if (rc)
        check_err(rc, &e);
    return 0;
}
