/* The registry client's parsers, without a server: references normalised
 * as Docker does, WWW-Authenticate challenges, auth files, and the media
 * type decision for manifest responses. */
#include "builder/registry.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ref_case {
    const char *in, *domain, *path, *tag, *digest, *familiar;
};

static void test_ref_normalisation(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        { "alpine", "docker.io", "library/alpine", "latest", NULL, "alpine:latest" },
        { "alpine:3.20", "docker.io", "library/alpine", "3.20", NULL, "alpine:3.20" },
        { "docker.io/library/alpine:3", "docker.io", "library/alpine", "3", NULL, "alpine:3" },
        { "index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", NULL,
          "alpine:latest" },
        { "team/app", "docker.io", "team/app", "latest", NULL, "team/app:latest" },
        { "ghcr.io/o/r/x:v1.2-rc_3", "ghcr.io", "o/r/x", "v1.2-rc_3", NULL,
          "ghcr.io/o/r/x:v1.2-rc_3" },
        { "localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest" },
        { "127.0.0.1:5000/a/b:1", "127.0.0.1:5000", "a/b", "1", NULL, "127.0.0.1:5000/a/b:1" },
        { "reg:5000/app", "reg:5000", "app", "latest", NULL, "reg:5000/app:latest" },
        { "[::1]:5000/app:t", "[::1]:5000", "app", "t", NULL, "[::1]:5000/app:t" },
        { "alpine@sha256:" HEX64, "docker.io", "library/alpine", NULL, "sha256:" HEX64,
          "alpine@sha256:" HEX64 },
        { "alpine:3@sha256:" HEX64, "docker.io", "library/alpine", "3", "sha256:" HEX64,
          "alpine:3@sha256:" HEX64 },
        { "a__b-c---e/f_g.h", "docker.io", "a__b-c---e/f_g.h", "latest", NULL,
          "a__b-c---e/f_g.h:latest" },
        /* A first element that reads as a registry keeps docker.io (found
         * by fuzz_registry_ref: the familiar form named another registry). */
        { "index.docker.io/finndex.docker.io/fd", "docker.io", "finndex.docker.io/fd", "latest",
          NULL, "docker.io/finndex.docker.io/fd:latest" },
        { "docker.io/localhost/app:1", "docker.io", "localhost/app", "1", NULL,
          "docker.io/localhost/app:1" },
        { "docker.io/a.b", "docker.io", "library/a.b", "latest", NULL, "a.b:latest" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct ref_case *c = &cases[i];
        struct arena a;
        arena_init(&a);
        struct bld_ref r;
        struct err e;
        int rc = bld_ref_parse(c->in, &a, &r, &e);
        if (rc)
            fail_msg("%s: %s", c->in, e.msg);
        assert_string_equal(r.domain, c->domain);
        assert_string_equal(r.path, c->path);
        if (c->tag)
            assert_string_equal(r.tag, c->tag);
        else
            assert_null(r.tag);
        if (c->digest)
            assert_string_equal(r.digest, c->digest);
        else
            assert_null(r.digest);
        assert_string_equal(bld_ref_familiar(&r, &a), c->familiar);
        assert_string_equal(bld_ref_manifest_ref(&r), c->digest ? c->digest : c->tag);
        arena_release(&a);
    }
}

static void test_ref_api_host(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_ref r;
    struct err e;
    assert_int_equal(bld_ref_parse("busybox", &a, &r, &e), 0);
    assert_string_equal(bld_ref_api_host(&r), "registry-1.docker.io");
    assert_int_equal(bld_ref_parse("quay.io/x/y", &a, &r, &e), 0);
    assert_string_equal(bld_ref_api_host(&r), "quay.io");
    arena_release(&a);
}

static void test_ref_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int code;
        const char *msg;
    } cases[] = {
        { "", ERR_INVALID, "empty name" },
        { ":tag", ERR_INVALID, "empty name" },
        { "Alpine", ERR_INVALID, "must be lowercase" },
        { "reg.io/Team/app", ERR_INVALID, "must be lowercase" },
        { "alpine:", ERR_INVALID, "bad tag" },
        { "alpine:-x", ERR_INVALID, "bad tag" },
        { "alpine:a/b", ERR_INVALID, "bad registry 'alpine:a'" },
        { "alpine@sha256:abc", ERR_INVALID, "bad digest" },
        { "alpine@md5:" HEX64, ERR_INVALID, "bad digest" },
        { "a//b", ERR_INVALID, "bad repository" },
        { "a/", ERR_INVALID, "bad repository" },
        { "-a", ERR_INVALID, "bad repository" },
        { "a..b", ERR_INVALID, "bad repository" },
        { "a___b", ERR_INVALID, "bad repository" },
        { "bad_host.io/x", ERR_INVALID, "bad registry" },
        { "host.io:/x", ERR_INVALID, "bad registry" },
        { "host.io:5x/x", ERR_INVALID, "bad registry" },
        { "-host.io/x", ERR_INVALID, "bad registry" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct arena a;
        arena_init(&a);
        struct bld_ref r;
        struct err e;
        int rc = bld_ref_parse(cases[i].in, &a, &r, &e);
        if (rc != cases[i].code || !strstr(e.msg, cases[i].msg))
            fail_msg("'%s': rc %d, message '%s'", cases[i].in, rc, rc ? e.msg : "");
        arena_release(&a);
    }
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct arena a;
    arena_init(&a);
    struct bld_ref r;
    struct err e;
    assert_int_equal(bld_ref_parse(long_name, &a, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "longer than 255"));
    arena_release(&a);
}

static void test_auth_bearer(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_auth_challenge ch[BLD_AUTH_MAX_CHALLENGES];
    size_t n;
    struct err e;
    const char *h = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    "scope=\"repository:library/alpine:pull,push\"";
    assert_int_equal(bld_auth_parse(h, &a, ch, BLD_AUTH_MAX_CHALLENGES, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ch[0].scheme, "Bearer");
    assert_string_equal(ch[0].realm, "https://auth.docker.io/token");
    assert_string_equal(ch[0].service, "registry.docker.io");
    assert_string_equal(ch[0].scope, "repository:library/alpine:pull,push");
    assert_null(ch[0].error);
    /* case-insensitive names, spaces around '=', tokens, escapes */
    h = "bearer  REALM = \"https://a/t\" , Error=insufficient_scope, service=\"s\\\"q\"";
    assert_int_equal(bld_auth_parse(h, &a, ch, BLD_AUTH_MAX_CHALLENGES, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ch[0].scheme, "bearer");
    assert_string_equal(ch[0].realm, "https://a/t");
    assert_string_equal(ch[0].error, "insufficient_scope");
    assert_string_equal(ch[0].service, "s\"q");
    arena_release(&a);
}

static void test_auth_several(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_auth_challenge ch[BLD_AUTH_MAX_CHALLENGES];
    size_t n;
    struct err e;
    const char *h = "Basic realm=\"r1\", Bearer realm=\"https://t\",service=x, Negotiate abc==";
    assert_int_equal(bld_auth_parse(h, &a, ch, BLD_AUTH_MAX_CHALLENGES, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ch[0].scheme, "Basic");
    assert_string_equal(ch[0].realm, "r1");
    assert_string_equal(ch[1].scheme, "Bearer");
    assert_string_equal(ch[1].realm, "https://t");
    assert_string_equal(ch[1].service, "x");
    assert_string_equal(ch[2].scheme, "Negotiate");
    assert_null(ch[2].realm);
    /* a bare scheme, then one with parameters */
    assert_int_equal(bld_auth_parse("Basic, Bearer realm=x", &a, ch, 8, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ch[0].scheme, "Basic");
    assert_string_equal(ch[1].realm, "x");
    /* more challenges than room: the first ones are kept */
    assert_int_equal(bld_auth_parse("A, B, C", &a, ch, 2, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ch[1].scheme, "B");
    arena_release(&a);
}

static void test_auth_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "Bearer realm=\"unterminated",
        "Bearer realm=",
        "Bearer realm=\"x\" junk",
        "=x",
        "Bearer realm=x,=y",
        "Bea\"rer realm=x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct arena a;
        arena_init(&a);
        struct bld_auth_challenge ch[4];
        size_t n;
        struct err e;
        int rc = bld_auth_parse(bad[i], &a, ch, 4, &n, &e);
        /* "Bearer realm=" reads as a token68 ("realm="): accepted. */
        if (i == 3) {
            assert_int_equal(rc, 0);
            assert_null(ch[0].realm);
        } else if (rc != ERR_SYNTAX) {
            fail_msg("'%s' parsed", bad[i]);
        }
        arena_release(&a);
    }
}

static void test_creds_parse(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_creds c;
    struct err e;
    /* "alice:s3:cret" in base64: the password may hold ':' */
    const char *j = "{\"auths\":{\"reg.io:5000\":{\"auth\":\"YWxpY2U6czM6Y3JldA==\"},"
                    "\"https://index.docker.io/v1/\":{\"auth\":\"Ym9iOnB3\"},"
                    "\"http://other.io/v2/\":{\"username\":\"u\",\"password\":\"p\"},"
                    "\"empty.io\":{}, \"bad.io\":{\"auth\":\"!!!\"}, \"nocolon.io\":"
                    "{\"auth\":\"YWJj\"}}}";
    size_t n = strlen(j);
    assert_int_equal(bld_creds_parse(j, n, "f", "reg.io:5000", &a, &c, &e), 0);
    assert_string_equal(c.user, "alice");
    assert_string_equal(c.password, "s3:cret");
    assert_int_equal(bld_creds_parse(j, n, "f", "docker.io", &a, &c, &e), 0);
    assert_string_equal(c.user, "bob");
    assert_string_equal(c.password, "pw");
    assert_int_equal(bld_creds_parse(j, n, "f", "other.io", &a, &c, &e), 0);
    assert_string_equal(c.user, "u");
    assert_string_equal(c.password, "p");
    assert_int_equal(bld_creds_parse(j, n, "f", "reg.io", &a, &c, &e), ERR_NOT_FOUND);
    assert_int_equal(bld_creds_parse(j, n, "f", "empty.io", &a, &c, &e), ERR_NOT_FOUND);
    assert_int_equal(bld_creds_parse(j, n, "f", "bad.io", &a, &c, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "not base64"));
    assert_int_equal(bld_creds_parse(j, n, "f", "nocolon.io", &a, &c, &e), ERR_INVALID);
    assert_int_equal(bld_creds_parse("{", 1, "f", "x", &a, &c, &e), ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "f:1:"));
    assert_int_equal(bld_creds_parse("{\"auths\":[]}", 12, "f", "x", &a, &c, &e), ERR_INVALID);
    assert_int_equal(bld_creds_parse("{}", 2, "f", "x", &a, &c, &e), ERR_NOT_FOUND);
    arena_release(&a);
}

static void test_creds_lookup_env(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dw-regtest-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/auth.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"auths\":{\"x.io\":{\"auth\":\"dTpw\"}}}", f);
    fclose(f);
    setenv("REGISTRY_AUTH_FILE", path, 1);
    setenv("DOCKER_CONFIG", dir, 1); /* no config.json there */
    struct arena a;
    arena_init(&a);
    struct bld_creds c;
    struct err e;
    assert_int_equal(bld_creds_lookup("x.io", &a, &c, &e), 0);
    assert_string_equal(c.user, "u");
    assert_string_equal(c.password, "p");
    assert_int_equal(bld_creds_lookup("y.io", &a, &c, &e), ERR_NOT_FOUND);
    /* $DOCKER_CONFIG/config.json is read when the first file has nothing */
    char cfg[sizeof dir + 32];
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("{\"auths\":{\"y.io\":{\"auth\":\"djpx\"}}}", f);
    fclose(f);
    assert_int_equal(bld_creds_lookup("y.io", &a, &c, &e), 0);
    assert_string_equal(c.user, "v");
    unsetenv("REGISTRY_AUTH_FILE");
    unsetenv("DOCKER_CONFIG");
    arena_release(&a);
    unlink(cfg);
    unlink(path);
    rmdir(dir);
}

static void test_media_type(void **state)
{
    (void)state;
    const char *mt;
    struct err e;
    /* the Content-Type decides, parameters and case aside */
    assert_int_equal(bld_manifest_media_type(BLD_MT_OCI_INDEX, "x", 1, &mt, &e), 0);
    assert_string_equal(mt, BLD_MT_OCI_INDEX);
    assert_int_equal(bld_manifest_media_type("Application/VND.Docker.Distribution.Manifest.V2+JSON"
                                             "; charset=utf-8",
                                             NULL, 0, &mt, &e),
                     0);
    assert_string_equal(mt, BLD_MT_DOCKER_MANIFEST);
    assert_int_equal(bld_manifest_media_type(BLD_MT_DOCKER_LIST, NULL, 0, &mt, &e), 0);
    assert_string_equal(mt, BLD_MT_DOCKER_LIST);
    /* generic types: the body's mediaType, else its shape */
    const char *b = "{\"mediaType\":\"" BLD_MT_OCI_MANIFEST "\"}";
    assert_int_equal(bld_manifest_media_type("application/json", b, strlen(b), &mt, &e), 0);
    assert_string_equal(mt, BLD_MT_OCI_MANIFEST);
    b = "{\"schemaVersion\":2,\"manifests\":[]}";
    assert_int_equal(bld_manifest_media_type(NULL, b, strlen(b), &mt, &e), 0);
    assert_string_equal(mt, BLD_MT_OCI_INDEX);
    b = "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}";
    assert_int_equal(bld_manifest_media_type("text/plain", b, strlen(b), &mt, &e), 0);
    assert_string_equal(mt, BLD_MT_OCI_MANIFEST);
    /* schema 1, unknown types, undecidable bodies */
    assert_int_equal(bld_manifest_media_type("application/vnd.docker.distribution.manifest.v1+"
                                             "prettyjws",
                                             NULL, 0, &mt, &e),
                     ERR_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "schema 1"));
    b = "{\"schemaVersion\":1,\"fsLayers\":[]}";
    assert_int_equal(bld_manifest_media_type("application/json", b, strlen(b), &mt, &e),
                     ERR_UNSUPPORTED);
    assert_int_equal(bld_manifest_media_type("image/png", b, strlen(b), &mt, &e), ERR_UNSUPPORTED);
    b = "{\"mediaType\":\"application/x-other\"}";
    assert_int_equal(bld_manifest_media_type(NULL, b, strlen(b), &mt, &e), ERR_UNSUPPORTED);
    assert_int_equal(bld_manifest_media_type(NULL, "[1]", 3, &mt, &e), ERR_INVALID);
    assert_int_equal(bld_manifest_media_type(NULL, "{}", 2, &mt, &e), ERR_INVALID);
    assert_int_equal(bld_manifest_media_type(NULL, "nope", 4, &mt, &e), ERR_INVALID);
    /* the Accept header lists the four types, indexes first */
    assert_non_null(strstr(BLD_REGISTRY_ACCEPT, BLD_MT_OCI_INDEX ", " BLD_MT_DOCKER_LIST));
    assert_non_null(strstr(BLD_REGISTRY_ACCEPT, BLD_MT_DOCKER_MANIFEST));
}

static void test_host_insecure(void **state)
{
    (void)state;
    unsetenv("DOCKWRIGHT_INSECURE_REGISTRIES");
    static const char *const local[] = { "localhost",      "localhost:5000", "127.0.0.1",
                                         "127.0.0.1:5000", "127.1.2.3:80",   "[::1]",
                                         "[::1]:5000" };
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (!bld_registry_host_insecure(NULL, local[i]))
            fail_msg("'%s' is local", local[i]);
    static const char *const remote[] = { "127.example.com", "127.0.0.1.nip.io", "127.0.0",
                                          "127.0.0.1234",    "127..0.1",         "localhost.com",
                                          "[::1]x",          "[::2]:5000",       "docker.io",
                                          "10.0.0.1" };
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++)
        if (bld_registry_host_insecure(NULL, remote[i]))
            fail_msg("'%s' is not local", remote[i]);
    const char *const list[] = { "reg.lan", "other.lan:5000", NULL };
    struct bld_registry_opts o = { .insecure = list };
    assert_true(bld_registry_host_insecure(&o, "reg.lan"));
    assert_true(bld_registry_host_insecure(&o, "reg.lan:5000"));
    assert_true(bld_registry_host_insecure(&o, "other.lan:5000"));
    assert_false(bld_registry_host_insecure(&o, "other.lan"));
    assert_false(bld_registry_host_insecure(&o, "other.lan:6000"));
    assert_false(bld_registry_host_insecure(&o, "reg.lan.evil"));
    setenv("DOCKWRIGHT_INSECURE_REGISTRIES", "a.lan, b.lan:1,,", 1);
    assert_true(bld_registry_host_insecure(NULL, "a.lan:443"));
    assert_true(bld_registry_host_insecure(NULL, "b.lan:1"));
    assert_false(bld_registry_host_insecure(NULL, "b.lan:2"));
    assert_false(bld_registry_host_insecure(NULL, "c.lan"));
    unsetenv("DOCKWRIGHT_INSECURE_REGISTRIES");
}

static void test_host_platform(void **state)
{
    (void)state;
    assert_int_equal(strncmp(bld_registry_host_platform(), "linux/", 6), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_normalisation), cmocka_unit_test(test_ref_api_host),
        cmocka_unit_test(test_ref_errors),        cmocka_unit_test(test_auth_bearer),
        cmocka_unit_test(test_auth_several),      cmocka_unit_test(test_auth_errors),
        cmocka_unit_test(test_creds_parse),       cmocka_unit_test(test_creds_lookup_env),
        cmocka_unit_test(test_media_type),        cmocka_unit_test(test_host_insecure),
        cmocka_unit_test(test_host_platform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
