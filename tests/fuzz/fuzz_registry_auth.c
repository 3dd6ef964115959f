/* libFuzzer target for what a registry or a user's files send the
 * registry client (builder/registry.h): the input is tried as a
 * WWW-Authenticate header, as an auth file (credentials looked up for a
 * few hosts) and as a manifest body with and without a Content-Type.
 * Errors are expected; crashes, sanitizer reports and broken invariants
 * (abort) are not: every challenge has a non-empty scheme, found
 * credentials have a user and a password, a decided media type is one of
 * the four the client asks for. */
#include "builder/oci.h"
#include "builder/registry.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool known(const char *mt)
{
    return mt && (strcmp(mt, BLD_MT_OCI_INDEX) == 0 || strcmp(mt, BLD_MT_OCI_MANIFEST) == 0 ||
                  strcmp(mt, BLD_MT_DOCKER_LIST) == 0 || strcmp(mt, BLD_MT_DOCKER_MANIFEST) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct arena a;
    arena_init(&a);
    struct err e;
    struct bld_auth_challenge ch[BLD_AUTH_MAX_CHALLENGES];
    size_t n = 99;
    if (bld_auth_parse(s, &a, ch, BLD_AUTH_MAX_CHALLENGES, &n, &e) == 0) {
        if (n == 0 || n > BLD_AUTH_MAX_CHALLENGES)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!ch[i].scheme || !*ch[i].scheme)
                abort();
    } else if (e.code != ERR_SYNTAX) {
        abort();
    }
    static const char *const hosts[] = { "docker.io", "x.io", "127.0.0.1:5000" };
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        struct bld_creds c;
        if (bld_creds_parse(s, size, "fuzz", hosts[i], &a, &c, &e) == 0 && (!c.user || !c.password))
            abort();
    }
    const char *mt;
    if (bld_manifest_media_type(NULL, s, size, &mt, &e) == 0 && !known(mt))
        abort();
    if (bld_manifest_media_type(s, s, size, &mt, &e) == 0 && !known(mt))
        abort();
    arena_release(&a);
    free(s);
    return 0;
}
