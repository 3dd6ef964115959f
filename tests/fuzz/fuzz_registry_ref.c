/* libFuzzer target for image references as `dockwright image pull|push`
 * and the registry client read them (builder/registry.h). Errors are
 * expected; crashes, sanitizer reports and broken invariants (abort) are
 * not: a parsed reference has a domain, a path and a tag or digest, and
 * its familiar form parses back to the same parts and prints the same. */
#include "builder/registry.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct arena a;
    arena_init(&a);
    struct bld_ref r, r2;
    struct err e;
    if (bld_ref_parse(s, &a, &r, &e) == 0) {
        if (!r.domain || !r.path || (!r.tag && !r.digest) || !*r.domain || !*r.path)
            abort();
        if (!bld_ref_api_host(&r) || !bld_ref_manifest_ref(&r))
            abort();
        const char *fam = bld_ref_familiar(&r, &a);
        if (bld_ref_parse(fam, &a, &r2, &e) != 0)
            abort();
        if (!same(r.domain, r2.domain) || !same(r.path, r2.path) || !same(r.tag, r2.tag) ||
            !same(r.digest, r2.digest))
            abort();
        if (strcmp(bld_ref_familiar(&r2, &a), fam) != 0)
            abort();
    } else if (e.code != ERR_INVALID && e.code != ERR_UNSUPPORTED) {
        abort();
    }
    arena_release(&a);
    free(s);
    return 0;
}
