/* Step cache keys: deterministic, and each kind of change changes them
 * (parent, instruction text, build args, content digest, mount options,
 * bind-mount content), while what must not count does not (order of
 * args and mount options). COPY --link's layer key ignores the parent.
 * The end of the file checks the whole chain with real COPY selections:
 * a content or mode change misses, an mtime or unrelated change hits. */
#include "builder/cachekey.h"
#include "builder/copy.h"
#include "builder/extract.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static struct bld_digest parent_a, parent_b, content_a, content_b;

static void init_digests(void)
{
    bld_digest_of("a", 1, &parent_a);
    bld_digest_of("b", 1, &parent_b);
    bld_digest_of("content a", 9, &content_a);
    bld_digest_of("content b", 9, &content_b);
}

static struct bld_step_keys key(const struct bld_step_input *in)
{
    struct bld_step_keys k;
    struct err err;
    if (bld_step_key(in, &k, &err))
        fail_msg("key: %s", err.msg);
    return k;
}

static bool same(const struct bld_step_input *x, const struct bld_step_input *y)
{
    struct bld_step_keys a = key(x), b = key(y);
    return bld_digest_eq(&a.chain, &b.chain);
}

static void test_change_table(void **state)
{
    (void)state;
    init_digests();
    static const struct bld_kv args1[] = { { "VERSION", "1.0" }, { "DEBUG", NULL } };
    static const struct bld_kv args1_reordered[] = { { "DEBUG", NULL }, { "VERSION", "1.0" } };
    static const struct bld_kv args2[] = { { "VERSION", "1.1" }, { "DEBUG", NULL } };
    static const struct bld_kv args_empty[] = { { "VERSION", "1.0" }, { "DEBUG", "" } };
    static const struct bld_kv args_more[] = { { "VERSION", "1.0" },
                                               { "DEBUG", NULL },
                                               { "X", "y" } };
    static const struct bld_kv m1[] = { { "type", "cache" }, { "target", "/root/.cache" } };
    static const struct bld_kv m1_reordered[] = { { "target", "/root/.cache" },
                                                  { "type", "cache" } };
    static const struct bld_kv m2[] = { { "type", "cache" }, { "target", "/var/cache" } };
    static const struct bld_kv m3[] = { { "type", "cache" },
                                        { "target", "/root/.cache" },
                                        { "sharing", "locked" } };
    static const struct bld_kv bind[] = { { "type", "bind" }, { "target", "/src" } };
    const struct bld_key_mount mounts1[] = { { m1, 2, NULL } };
    const struct bld_key_mount mounts1r[] = { { m1_reordered, 2, NULL } };
    const struct bld_key_mount mounts2[] = { { m2, 2, NULL } };
    const struct bld_key_mount mounts3[] = { { m3, 3, NULL } };
    const struct bld_key_mount bind_a[] = { { bind, 2, &content_a } };
    const struct bld_key_mount bind_b[] = { { bind, 2, &content_b } };

    const struct bld_step_input base = {
        .parent = &parent_a,
        .platform = "linux/amd64",
        .instruction = "RUN /bin/sh -c make",
        .args = args1,
        .n_args = 2,
        .mounts = mounts1,
        .n_mounts = 1,
    };
    struct {
        const char *what;
        struct bld_step_input in;
        bool same;
    } cases[] = {
        { "identical", base, true },
        { "args reordered", base, true },
        { "mount options reordered", base, true },
        { "parent", base, false },
        { "platform", base, false },
        { "no platform", base, false },
        { "instruction text", base, false },
        { "build arg value", base, false },
        { "arg declared vs empty", base, false },
        { "another arg", base, false },
        { "no args", base, false },
        { "mount target", base, false },
        { "mount sharing", base, false },
        { "no mounts", base, false },
        { "content digest added", base, false },
        { "link flag", base, false },
    };
    cases[1].in.args = args1_reordered;
    cases[2].in.mounts = mounts1r;
    cases[3].in.parent = &parent_b;
    cases[4].in.platform = "linux/arm64";
    cases[5].in.platform = NULL;
    cases[6].in.instruction = "RUN /bin/sh -c make install";
    cases[7].in.args = args2;
    cases[8].in.args = args_empty;
    cases[9].in.args = args_more;
    cases[9].in.n_args = 3;
    cases[10].in.n_args = 0;
    cases[11].in.mounts = mounts2;
    cases[12].in.mounts = mounts3;
    cases[13].in.n_mounts = 0;
    cases[14].in.content = &content_a;
    cases[15].in.link = true;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (same(&base, &cases[i].in) != cases[i].same)
            fail_msg("%s: keys should %s", cases[i].what, cases[i].same ? "match" : "differ");
    }
    /* Bind-mount content counts. */
    struct bld_step_input ba = base, bb = base;
    ba.mounts = bind_a;
    bb.mounts = bind_b;
    assert_false(same(&ba, &bb));
    /* COPY content digests. */
    struct bld_step_input ca = base, cb = base;
    ca.content = &content_a;
    cb.content = &content_b;
    assert_false(same(&ca, &cb));
    /* Field boundaries: "ab"+"c" is not "a"+"bc". */
    static const struct bld_kv s1[] = { { "ab", "c" } };
    static const struct bld_kv s2[] = { { "a", "bc" } };
    struct bld_step_input x1 = base, x2 = base;
    x1.args = s1;
    x1.n_args = 1;
    x2.args = s2;
    x2.n_args = 1;
    assert_false(same(&x1, &x2));
}

static void test_link_layer_key(void **state)
{
    (void)state;
    init_digests();
    struct bld_step_input in = { .parent = &parent_a,
                                 .platform = "linux/amd64",
                                 .instruction = "COPY --link app /app",
                                 .content = &content_a,
                                 .link = true };
    struct bld_step_keys a = key(&in);
    in.parent = &parent_b;
    struct bld_step_keys b = key(&in);
    assert_false(bld_digest_eq(&a.chain, &b.chain));
    assert_true(bld_digest_eq(&a.layer, &b.layer)); /* reusable on a new base */
    in.content = &content_b;
    struct bld_step_keys c = key(&in);
    assert_false(bld_digest_eq(&b.layer, &c.layer));
    /* Without --link the layer key is the chain key. */
    in.link = false;
    struct bld_step_keys d = key(&in);
    assert_true(bld_digest_eq(&d.chain, &d.layer));
}

static void test_base_and_errors(void **state)
{
    (void)state;
    init_digests();
    struct bld_digest s1, s2, i1, i2, i3;
    struct err err;
    assert_int_equal(bld_key_base(NULL, "linux/amd64", &s1, &err), 0);
    assert_int_equal(bld_key_base(NULL, "linux/amd64", &s2, &err), 0);
    assert_true(bld_digest_eq(&s1, &s2));
    assert_int_equal(bld_key_base(&parent_a, "linux/amd64", &i1, &err), 0);
    assert_int_equal(bld_key_base(&parent_b, "linux/amd64", &i2, &err), 0);
    assert_int_equal(bld_key_base(&parent_a, "linux/arm64", &i3, &err), 0);
    assert_false(bld_digest_eq(&s1, &i1));
    assert_false(bld_digest_eq(&i1, &i2));
    assert_false(bld_digest_eq(&i1, &i3));
    struct bld_step_input bad = { .parent = &parent_a };
    struct bld_step_keys k;
    assert_int_equal(bld_step_key(&bad, &k, &err), ERR_USAGE);
    static const struct bld_kv nokey[] = { { NULL, "x" } };
    bad.instruction = "RUN x";
    bad.args = nokey;
    bad.n_args = 1;
    assert_int_equal(bld_step_key(&bad, &k, &err), ERR_USAGE);
    /* A known value (recomputed by hand from the documented encoding:
     * tag, presence byte, big-endian length, bytes), so that an accidental
     * change of the scheme, which would invalidate every user's cache, is
     * noticed. */
    char hex[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&s1, hex);
    assert_string_equal(hex,
                        "sha256:1f6022e9e13b69961518decf1de02d56cdb8bcfb074342e4d02748046de7ec53");
    struct bld_step_input fixed = { .parent = &s1, .instruction = "ENV A=1" };
    struct bld_step_keys f1 = key(&fixed), f2 = key(&fixed);
    assert_true(bld_digest_eq(&f1.chain, &f2.chain));
}

/* ---- the chain with real COPY selections ------------------------------ */

static char dir[512];

static void put(const char *rel, const char *content, mode_t mode)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    assert_int_equal(chmod(p, mode), 0);
}

/* FROM scratch, ARG V, COPY app.txt /, RUN cat /app.txt: the RUN's key. */
static struct bld_digest chain(const char *v)
{
    struct err err;
    struct bld_digest base;
    assert_int_equal(bld_key_base(NULL, "linux/amd64", &base, &err), 0);
    const struct bld_kv args[] = { { "V", v } };
    struct bld_step_input arg = {
        .parent = &base, .instruction = "ARG V", .args = args, .n_args = 1
    };
    struct bld_step_keys k1 = key(&arg);
    struct arena a;
    arena_init(&a);
    struct bld_src src = { BLD_SRC_PATH, "app.txt", NULL, 0 };
    const char *layers[] = { dir };
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.srcs = &src;
    o.n_srcs = 1;
    o.from.layers = layers;
    o.from.n_layers = 1;
    o.from_context = true;
    o.epoch = -1;
    struct bld_copy_sel *sel;
    assert_int_equal(bld_copy_select(&o, &a, &sel, &err), 0);
    struct bld_digest content;
    assert_int_equal(bld_copy_digest(sel, &content, &err), 0);
    arena_release(&a);
    struct bld_step_input copy = { .parent = &k1.chain,
                                   .instruction = "COPY app.txt /",
                                   .content = &content };
    struct bld_step_keys k2 = key(&copy);
    struct bld_step_input run = {
        .parent = &k2.chain, .instruction = "RUN /bin/sh -c cat /app.txt", .args = args, .n_args = 1
    };
    return key(&run).chain;
}

static void test_chain_with_copy(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-key-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    put("app.txt", "v1", 0644);
    put("other.txt", "x", 0644);
    struct bld_digest k0 = chain("1"), k;
    k = chain("1");
    assert_true(bld_digest_eq(&k0, &k));
    char p[1024];
    snprintf(p, sizeof p, "%s/app.txt", dir);
    struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0); /* touch: hit */
    k = chain("1");
    assert_true(bld_digest_eq(&k0, &k));
    put("other.txt", "y", 0644); /* unrelated: hit */
    k = chain("1");
    assert_true(bld_digest_eq(&k0, &k));
    k = chain("2"); /* build arg: miss */
    assert_false(bld_digest_eq(&k0, &k));
    put("app.txt", "v1", 0755); /* mode: miss */
    k = chain("1");
    assert_false(bld_digest_eq(&k0, &k));
    put("app.txt", "v2", 0644); /* content: miss */
    k = chain("1");
    assert_false(bld_digest_eq(&k0, &k));
    put("app.txt", "v1", 0644); /* back: hit again */
    k = chain("1");
    assert_true(bld_digest_eq(&k0, &k));
    /* A RUN --mount=type=bind source: its content digest changes with
     * the bound files only. */
    const char *layers[] = { dir };
    struct bld_tree tree = { layers, 1 };
    struct bld_digest b0, b1;
    struct err err;
    assert_int_equal(bld_source_digest(&tree, true, NULL, "app.txt", &b0, &err), 0);
    put("other.txt", "z", 0644);
    assert_int_equal(bld_source_digest(&tree, true, NULL, "app.txt", &b1, &err), 0);
    assert_true(bld_digest_eq(&b0, &b1));
    put("app.txt", "v3", 0644);
    assert_int_equal(bld_source_digest(&tree, true, NULL, "app.txt", &b1, &err), 0);
    assert_false(bld_digest_eq(&b0, &b1));
    assert_int_equal(bld_source_digest(&tree, true, NULL, "/", &b0, &err), 0);
    assert_int_equal(bld_source_digest(&tree, true, NULL, "nope", &b0, &err), ERR_NOT_FOUND);
    assert_int_equal(bld_remove_tree(dir, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_table),
        cmocka_unit_test(test_link_layer_key),
        cmocka_unit_test(test_base_and_errors),
        cmocka_unit_test(test_chain_with_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
