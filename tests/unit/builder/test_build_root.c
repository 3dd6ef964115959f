/* bld_build over a busybox base image made here (a layer of the rootfs from
 * make_busybox_rootfs.sh, a config and a manifest stored and tagged): a
 * single-stage build and its config, a fully cached rebuild, a rebuild
 * after a context change, multi-stage with COPY --from, --target and build
 * args, a reproducible digest across stores, a failing RUN, an export read
 * back, and errors. Needs root, namespaces, overlayfs and busybox-static
 * (exits 77 otherwise, saying why). */
#include "builder/build.h"
#include "builder/import.h"
#include "builder/layer.h"
#include "builder/oci.h"
#include "builder/report.h"
#include "builder/run.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "root_env.h"

static char base[256];
static char rootfs[300];
static int seq;

static const char *path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", base, name);
    return out;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct err e;
    assert_int_equal(file_write_atomic(p, text, strlen(text), 0644, &e), 0);
}

/* A new directory under base. */
static const char *new_dir(char *out, size_t n, const char *what)
{
    snprintf(out, n, "%s/%s%d", base, what, ++seq);
    assert_int_equal(mkdir(out, 0755), 0);
    return out;
}

/* Stores the busybox rootfs as the image busybox:latest of s. */
static void import_base(struct bld_store *s)
{
    struct err e;
    struct bld_layer_opts lo = { 0 };
    struct bld_layer_info info;
    struct bld_descriptor layer;
    assert_int_equal(bld_layer_store(s, rootfs, &lo, &info, &layer, &e), 0);
    struct bld_image_config c;
    memset(&c, 0, sizeof c);
    c.architecture = "amd64";
    c.os = "linux";
    const char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    c.config.env = (struct bld_strs){ env, 1, true };
    c.diff_ids = &info.diff_id;
    c.n_diff_ids = 1;
    struct bld_history h = { .created_by = "busybox rootfs" };
    c.history = &h;
    c.n_history = 1;
    struct buf cj = BUF_INIT, mj = BUF_INIT;
    assert_int_equal(bld_config_write(&c, &cj, &e), 0);
    struct bld_manifest m;
    memset(&m, 0, sizeof m);
    m.media_type = BLD_MT_OCI_MANIFEST;
    m.config.media_type = BLD_MT_OCI_CONFIG;
    m.config.size = (int64_t)cj.len;
    assert_int_equal(bld_store_put_blob(s, cj.data, cj.len, &m.config.digest, &e), 0);
    m.layers = &layer;
    m.n_layers = 1;
    assert_int_equal(bld_manifest_write(&m, &mj, &e), 0);
    struct bld_descriptor d;
    memset(&d, 0, sizeof d);
    d.media_type = BLD_MT_OCI_MANIFEST;
    d.size = (int64_t)mj.len;
    assert_int_equal(bld_store_put_blob(s, mj.data, mj.len, &d.digest, &e), 0);
    assert_int_equal(bld_store_ref_set(s, "busybox:latest", &d, &e), 0);
    buf_release(&cj);
    buf_release(&mj);
}

static void open_store(struct bld_store *s, const char *name)
{
    char p[400];
    struct err e;
    assert_int_equal(bld_store_open(s, path_in(p, sizeof p, name), &e), 0);
    s->unsafe_no_fsync = true;
    import_base(s);
}

static void build(struct bld_store *s, const char *ctx, const char *dockerfile, const char *target,
                  const char *const *args, bool no_cache, const char *tag, struct root_build *r)
{
    write_file(ctx, "Dockerfile", dockerfile);
    char df[600];
    snprintf(df, sizeof df, "%s/Dockerfile", ctx);
    struct bld_build_opts o = {
        .dockerfile = df,
        .text = dockerfile,
        .len = strlen(dockerfile),
        .context = ctx,
        .target = target,
        .build_args = args,
        .tag = tag,
        .no_cache = no_cache,
        .net = BLD_NET_NONE,
    };
    assert_int_equal(root_env_build(s, &o, r), 0);
}

static void run_release(struct root_build *r)
{
    bld_report_release(&r->rep);
    buf_release(&r->out);
}

static size_t hits(const struct root_build *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->rep.steps.len; i++)
        n += r->rep.steps.items[i].cache == BLD_CACHE_HIT;
    return n;
}

/* The config of the image named ref. */
static void config_of(struct bld_store *s, const char *ref, struct arena *a,
                      struct bld_image_config *c)
{
    struct err e;
    struct bld_descriptor d;
    struct bld_manifest m;
    assert_int_equal(bld_store_ref_get(s, ref, a, &d, &e), 0);
    assert_int_equal(bld_store_read_manifest(s, &d, a, &m, &e), 0);
    assert_int_equal(bld_store_read_config(s, &m.config, a, c, &e), 0);
}

static const char single[] = "FROM busybox\n"
                             "ENV FOO=bar\n"
                             "WORKDIR /app\n"
                             "COPY a.txt .\n"
                             "RUN echo \"foo=$FOO\" && cat a.txt && pwd && echo made > made.txt\n"
                             "USER app\n"
                             "RUN id -u\n"
                             "CMD [\"cat\", \"/app/made.txt\"]\n";

static void test_single_stage_and_cache(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s, "single");
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "hello\n");

    struct root_build r1;
    build(&s, ctx, single, NULL, NULL, false, "single:1", &r1);
    assert_int_equal(r1.rc, 0);
    assert_true(r1.res.has_image);
    const char *out = buf_cstr(&r1.out);
    assert_non_null(strstr(out, "[stage 1/1] STEP 5/8: RUN echo"));
    assert_non_null(strstr(out, "[stage 1/1] STEP 5/8: foo=bar\n"));
    assert_non_null(strstr(out, "[stage 1/1] STEP 5/8: hello\n"));
    assert_non_null(strstr(out, "[stage 1/1] STEP 5/8: /app\n"));
    assert_non_null(strstr(out, "[stage 1/1] STEP 7/8: 1000\n"));
    assert_int_equal(r1.rep.steps.len, 8);
    assert_int_equal(hits(&r1), 1); /* FROM */
    assert_true(r1.rep.has_image);
    /* base, WORKDIR, COPY, RUN; `RUN id -u` changes nothing: no layer */
    assert_int_equal(r1.rep.image.layers, 4);

    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "single:1", &a, &c);
    assert_string_equal(c.config.user, "app");
    assert_string_equal(c.config.working_dir, "/app");
    assert_int_equal(c.config.cmd.len, 2);
    assert_string_equal(c.config.cmd.items[1], "/app/made.txt");
    bool foo = false;
    for (size_t i = 0; i < c.config.env.len; i++)
        foo |= strcmp(c.config.env.items[i], "FOO=bar") == 0;
    assert_true(foo);
    assert_int_equal(c.n_diff_ids, 4);
    assert_int_equal(c.n_history, 8);
    arena_release(&a);

    /* Everything cached, same image. */
    struct root_build r2;
    build(&s, ctx, single, NULL, NULL, false, "single:1", &r2);
    assert_int_equal(r2.rc, 0);
    assert_int_equal(hits(&r2), 8);
    assert_null(strstr(buf_cstr(&r2.out), ": DONE "));
    assert_memory_equal(&r1.res.manifest, &r2.res.manifest, sizeof r1.res.manifest);

    /* A changed file: cached up to the COPY. */
    write_file(ctx, "a.txt", "changed\n");
    struct root_build r3;
    build(&s, ctx, single, NULL, NULL, false, "single:2", &r3);
    assert_int_equal(r3.rc, 0);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(r3.rep.steps.items[i].cache, i < 3 ? BLD_CACHE_HIT : BLD_CACHE_MISS);
    assert_non_null(strstr(buf_cstr(&r3.out), "STEP 5/8: changed\n"));
    assert_memory_not_equal(&r1.res.manifest, &r3.res.manifest, sizeof r1.res.manifest);

    /* --no-cache runs everything and gives the same image. */
    struct root_build r4;
    build(&s, ctx, single, NULL, NULL, true, NULL, &r4);
    assert_int_equal(r4.rc, 0);
    assert_int_equal(hits(&r4), 1);
    assert_memory_equal(&r3.res.manifest, &r4.res.manifest, sizeof r3.res.manifest);

    run_release(&r1);
    run_release(&r2);
    run_release(&r3);
    run_release(&r4);
    bld_store_close(&s);
}

static void test_multi_stage(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s, "multi");
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    static const char df[] = "ARG GREETING=hi\n"
                             "FROM busybox AS builder\n"
                             "ARG GREETING\n"
                             "ARG WHO=world\n"
                             "RUN mkdir /out && echo \"$GREETING $WHO\" > /out/msg\n"
                             "FROM busybox AS unused\n"
                             "RUN echo should-not-run\n"
                             "FROM scratch AS final\n"
                             "COPY --from=builder /out/msg /msg\n"
                             "COPY --from=busybox /bin/busybox /bin/sh\n"
                             "FROM final AS check\n"
                             "COPY --from=builder /out /dbg/\n";
    const char *args[] = { "WHO=there", NULL };
    struct root_build r;
    build(&s, ctx, df, "final", args, false, "multi:1", &r);
    assert_int_equal(r.rc, 0);
    assert_null(strstr(buf_cstr(&r.out), "should-not-run"));
    assert_non_null(strstr(buf_cstr(&r.out), "[stage 2/2] STEP 3/3"));
    assert_int_equal(r.rep.steps.len, 7);
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "multi:1", &a, &c);
    assert_int_equal(c.n_diff_ids, 2);
    arena_release(&a);

    /* The last stage builds FROM final and runs its binary copied from busybox. */
    struct root_build r2;
    static const char df2[] = "FROM busybox AS builder\n"
                              "ARG WHO=world\n"
                              "RUN echo \"hi $WHO\" > /msg\n"
                              "FROM scratch AS final\n"
                              "COPY --from=busybox /bin/busybox /bin/sh\n"
                              "COPY --from=builder /msg /msg\n"
                              "FROM final AS run\n"
                              "RUN [\"/bin/sh\", \"-c\", \"read x < /msg; echo got $x\"]\n"
                              "FROM busybox\n"
                              "RUN --mount=type=bind,from=builder,source=/msg,target=/m/f "
                              "--mount=from=run,target=/fin cat /m/f && ls /fin\n";
    build(&s, ctx, df2, NULL, args, false, NULL, &r2);
    assert_int_equal(r2.rc, 0);
    assert_non_null(strstr(buf_cstr(&r2.out), "got hi there\n"));
    assert_non_null(strstr(buf_cstr(&r2.out), "STEP 2/2: hi there\n"));
    assert_non_null(strstr(buf_cstr(&r2.out), "STEP 2/2: msg\n"));
    run_release(&r);
    run_release(&r2);
    bld_store_close(&s);
}

static void test_reproducible(void **state)
{
    (void)state;
    struct bld_store s1, s2;
    open_store(&s1, "repro1");
    open_store(&s2, "repro2");
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "hello\n");
    struct root_build r1, r2;
    build(&s1, ctx, single, NULL, NULL, true, NULL, &r1);
    build(&s2, ctx, single, NULL, NULL, true, NULL, &r2);
    assert_int_equal(r1.rc, 0);
    assert_int_equal(r2.rc, 0);
    assert_memory_equal(&r1.res.manifest, &r2.res.manifest, sizeof r1.res.manifest);
    run_release(&r1);
    run_release(&r2);
    bld_store_close(&s1);
    bld_store_close(&s2);
}

static void test_failing_run(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s, "fail");
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    struct root_build r;
    build(&s, ctx, "FROM busybox\nRUN echo before\nRUN echo failing; exit 3\nRUN echo after\n",
          NULL, NULL, false, "fail:1", &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_int_equal(r.res.run_status, 3);
    assert_false(r.res.has_image);
    assert_int_equal(r.e.line, 3);
    assert_non_null(strstr(r.e.msg, "did not complete successfully: exit code: 3"));
    assert_null(strstr(buf_cstr(&r.out), "after"));
    struct arena a;
    arena_init(&a);
    struct bld_descriptor d;
    struct err e;
    assert_int_equal(bld_store_ref_get(&s, "fail:1", &a, &d, &e), ERR_NOT_FOUND);
    /* The store is still usable: gc finds it consistent. */
    struct bld_gc_stats gs;
    assert_int_equal(bld_store_gc(&s, 0, &gs, &e), 0);
    arena_release(&a);
    run_release(&r);
    bld_store_close(&s);
}

static void test_export_read_back(void **state)
{
    (void)state;
    struct bld_store s, s2;
    open_store(&s, "export");
    char ctx[400], p[400], p2[400];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "hello\n");
    struct root_build r;
    build(&s, ctx, single, NULL, NULL, false, "exp:1", &r);
    assert_int_equal(r.rc, 0);
    struct err e;
    assert_int_equal(
        bld_export(&s, "exp:1", NULL, BLD_EXPORT_OCI_DIR, path_in(p, sizeof p, "exported"), &e), 0);
    assert_int_equal(bld_store_open(&s2, path_in(p2, sizeof p2, "readback"), &e), 0);
    s2.unsafe_no_fsync = true;
    struct arena a;
    arena_init(&a);
    struct bld_import_result ir;
    assert_int_equal(bld_import(&s2, p, "back:1", &a, &ir, &e), 0);
    assert_int_equal(ir.n_images, 1);
    assert_memory_equal(&ir.images[0].desc.digest, &r.res.manifest, sizeof r.res.manifest);
    arena_release(&a);
    run_release(&r);
    bld_store_close(&s2);
    bld_store_close(&s);
}

static void test_errors(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s, "errors");
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    struct root_build r;
    build(&s, ctx, "FROM nosuch\nRUN true\n", NULL, NULL, false, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_int_equal(r.e.line, 1);
    assert_non_null(strstr(r.e.msg, "'nosuch' is not in the store"));
    run_release(&r);
    build(&s, ctx, "FROM busybox AS a\nRUN true\n", "b", NULL, false, NULL, &r);
    assert_int_equal(r.rc, ERR_USAGE);
    run_release(&r);
    build(&s, ctx, "FROM busybox\nCOPY missing.txt /\n", NULL, NULL, false, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_int_equal(r.e.line, 2);
    run_release(&r);
    build(&s, ctx, "FROM busybox\nRUN --mount=type=cache,from=x,target=/m true\n", NULL, NULL,
          false, NULL, &r);
    assert_int_equal(r.rc, ERR_UNSUPPORTED);
    run_release(&r);
    /* ONBUILD triggers run after the FROM that uses the stage; a failing
     * one is reported on that FROM. */
    build(&s, ctx,
          "FROM busybox AS a\nONBUILD ENV Z=1\nONBUILD RUN echo trig > /t\nFROM a\n"
          "RUN echo \"z=$Z $(cat /t)\"\n",
          NULL, NULL, false, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(buf_cstr(&r.out), "STEP 2/2: z=1 trig\n"));
    run_release(&r);
    build(&s, ctx, "FROM busybox AS a\nONBUILD RUN exit 4\nFROM a\nRUN true\n", NULL, NULL, false,
          NULL, &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_int_equal(r.res.run_status, 4);
    assert_int_equal(r.e.line, 3);
    assert_non_null(strstr(r.e.msg, "ONBUILD trigger 'RUN exit 4'"));
    run_release(&r);
    build(&s, ctx, "FROM --platform=linux/nonesuch busybox\n", NULL, NULL, false, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_int_equal(r.e.line, 1);
    run_release(&r);
    build(&s, ctx, "FROM busybox\nUSER nobody-here\nRUN true\n", NULL, NULL, false, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_int_equal(r.e.line, 3);
    run_release(&r);
    bld_store_close(&s);
}

/* --- setup ---------------------------------------------------------------- */

static int teardown_all(void **state)
{
    (void)state;
    return root_env_remove(base);
}

int main(void)
{
    unsetenv("SOURCE_DATE_EPOCH");
    int rc = root_env_setup("the build tests", "dw-build-test", base, sizeof base, rootfs,
                            sizeof rootfs);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_stage_and_cache), cmocka_unit_test(test_multi_stage),
        cmocka_unit_test(test_reproducible),           cmocka_unit_test(test_failing_run),
        cmocka_unit_test(test_export_read_back),       cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
