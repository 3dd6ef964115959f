/* Build semantics that depend on the base image, checked against what
 * BuildKit does: the image's Env in variable expansion (and ARG/ENV
 * precedence over it, in expansion and in RUN's environment), PATH added
 * to a config without one, ONBUILD triggers of an image run in the
 * stage's scope, and platforms: FROM --platform with $BUILDPLATFORM, the
 * manifest of an image index picked per platform, the target platform of
 * the build (bld_build_opts.platform) in TARGETPLATFORM and the image,
 * stages without RUN built for another platform and a clear error for a
 * RUN the kernel cannot execute. Bases are made here from busybox-static
 * (make_busybox_rootfs.sh); needs root, namespaces and overlayfs (exits 77
 * otherwise, saying why). */
#include "builder/build.h"
#include "builder/layer.h"
#include "builder/oci.h"
#include "builder/report.h"
#include "builder/run.h"
#include "builder/store.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <fcntl.h>
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

static void write_file(const char *dir, const char *name, const char *text, size_t len,
                       unsigned mode)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct err e;
    assert_int_equal(file_write_atomic(p, text, len, mode, &e), 0);
}

static const char *new_dir(char *out, size_t n, const char *what)
{
    snprintf(out, n, "%s/%s%d", base, what, ++seq);
    assert_int_equal(mkdir(out, 0755), 0);
    return out;
}

/* Stores dir as a one-layer image for platform os/arch with env and
 * onbuild (NULL-terminated lists, may be NULL); fills the manifest's
 * descriptor (with the platform set) and returns it. */
static struct bld_descriptor store_image(struct bld_store *s, const char *dir, const char *arch,
                                         const char **env, const char **onbuild,
                                         struct bld_platform *plat)
{
    struct err e;
    struct bld_layer_opts lo = { 0 };
    struct bld_layer_info info;
    struct bld_descriptor layer;
    assert_int_equal(bld_layer_store(s, dir, &lo, &info, &layer, &e), 0);
    struct bld_image_config c;
    memset(&c, 0, sizeof c);
    c.architecture = arch;
    c.os = "linux";
    size_t n = 0;
    while (env && env[n])
        n++;
    c.config.env = (struct bld_strs){ env, n, n > 0 };
    n = 0;
    while (onbuild && onbuild[n])
        n++;
    c.config.on_build = (struct bld_strs){ onbuild, n, n > 0 };
    c.diff_ids = &info.diff_id;
    c.n_diff_ids = 1;
    struct bld_history h = { .created_by = "test rootfs" };
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
    buf_release(&cj);
    buf_release(&mj);
    plat->os = "linux";
    plat->architecture = arch;
    plat->variant = NULL;
    d.platform = plat;
    return d;
}

static void name_image(struct bld_store *s, const char *ref, const struct bld_descriptor *d)
{
    struct err e;
    struct bld_descriptor plain = *d;
    plain.platform = NULL;
    assert_int_equal(bld_store_ref_set(s, ref, &plain, &e), 0);
}

/* A fake arm64 /bin/sh: an ELF header for machine 183 (AArch64), which
 * an x86-64 kernel without binfmt_misc emulation refuses with ENOEXEC. */
static void make_arm64_rootfs(const char *dir)
{
    unsigned char elf[64];
    memset(elf, 0, sizeof elf);
    memcpy(elf,
           "\x7f"
           "ELF",
           4);
    elf[4] = 2;    /* 64-bit */
    elf[5] = 1;    /* little endian */
    elf[6] = 1;    /* version */
    elf[16] = 2;   /* ET_EXEC */
    elf[18] = 183; /* EM_AARCH64 */
    elf[20] = 1;   /* version */
    elf[52] = 64;  /* header size */
    char p[600];
    snprintf(p, sizeof p, "%s/bin", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    write_file(dir, "bin/sh", (const char *)elf, sizeof elf, 0755);
    write_file(dir, "plat", "arm64\n", 6, 0644);
}

static void open_store(struct bld_store *s)
{
    char p[400];
    struct err e;
    snprintf(p, sizeof p, "%s/store%d", base, ++seq);
    assert_int_equal(bld_store_open(s, p, &e), 0);
    s->unsafe_no_fsync = true;

    /* envbase: busybox with an Env, no PATH among it but /bin... */
    static const char *env[] = { "PATH=/bin:/usr/bin", "FOO=bar", "APP_HOME=/opt/app", NULL };
    struct bld_platform pl;
    struct bld_descriptor d = store_image(s, rootfs, "amd64", env, NULL, &pl);
    name_image(s, "envbase:latest", &d);
    /* nopath: busybox whose config has no PATH at all. */
    static const char *nopath[] = { "ONLY=1", NULL };
    d = store_image(s, rootfs, "amd64", nopath, NULL, &pl);
    name_image(s, "nopath:latest", &d);
    /* obbase: busybox with ONBUILD triggers in its config. */
    static const char *ob[] = { "ARG WHO", "ENV TRIG=from-$WHO", "RUN echo trig-ran > /trig",
                                NULL };
    d = store_image(s, rootfs, "amd64", env, ob, &pl);
    name_image(s, "obbase:latest", &d);
    static const char *badob[] = { "FROM busybox", NULL };
    d = store_image(s, rootfs, "amd64", env, badob, &pl);
    name_image(s, "badob:latest", &d);

    /* multi: an index of busybox for amd64 and a fake arm64 image. */
    static const char *envamd[] = { "PATH=/bin", "PLAT=amd64", NULL };
    static const char *envarm[] = { "PATH=/bin", "PLAT=arm64", NULL };
    char arm[400];
    new_dir(arm, sizeof arm, "armroot");
    make_arm64_rootfs(arm);
    struct bld_platform p1, p2;
    struct bld_descriptor ms[2];
    ms[0] = store_image(s, arm, "arm64", envarm, NULL, &p1);
    ms[1] = store_image(s, rootfs, "amd64", envamd, NULL, &p2);
    struct bld_index ix = { .media_type = BLD_MT_OCI_INDEX, .manifests = ms, .n_manifests = 2 };
    struct buf ij = BUF_INIT;
    assert_int_equal(bld_index_write(&ix, &ij, &e), 0);
    struct bld_descriptor id;
    memset(&id, 0, sizeof id);
    id.media_type = BLD_MT_OCI_INDEX;
    id.size = (int64_t)ij.len;
    assert_int_equal(bld_store_put_blob(s, ij.data, ij.len, &id.digest, &e), 0);
    assert_int_equal(bld_store_ref_set(s, "multi:latest", &id, &e), 0);
    buf_release(&ij);
}

/* The --target of the next builds (NULL: the last stage). */
static const char *target;

/* Builds dockerfile in the context directory ctx (the Dockerfile is
 * written there). */
static void build_in(struct bld_store *s, const char *ctx, const char *dockerfile,
                     const char *const *args, const char *platform, const char *tag,
                     struct root_build *r)
{
    write_file(ctx, "Dockerfile", dockerfile, strlen(dockerfile), 0644);
    char df[600];
    snprintf(df, sizeof df, "%s/Dockerfile", ctx);
    struct bld_build_opts o = {
        .dockerfile = df,
        .text = dockerfile,
        .len = strlen(dockerfile),
        .context = ctx,
        .build_args = args,
        .target = target,
        .platform = platform,
        .tag = tag,
        .net = BLD_NET_NONE,
    };
    assert_int_equal(root_env_build(s, &o, r), 0);
}

/* Builds dockerfile in a new context holding a.txt ("hello\n"). */
static void build(struct bld_store *s, const char *dockerfile, const char *const *args,
                  const char *platform, const char *tag, struct root_build *r)
{
    char ctx[400];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "hello\n", 6, 0644);
    build_in(s, ctx, dockerfile, args, platform, tag, r);
}

static size_t hits(const struct root_build *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->rep.steps.len; i++)
        n += r->rep.steps.items[i].cache == BLD_CACHE_HIT;
    return n;
}

/* The cache state of every step, as a string of 'H' and 'M'. */
static const char *cache_line(const struct root_build *r, char *out, size_t n)
{
    size_t i = 0;
    for (; i < r->rep.steps.len && i + 1 < n; i++)
        out[i] = r->rep.steps.items[i].cache == BLD_CACHE_HIT ? 'H' : 'M';
    out[i] = '\0';
    return out;
}

static void run_release(struct root_build *r)
{
    bld_report_release(&r->rep);
    buf_release(&r->out);
}

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

static const char *env_of(const struct bld_image_config *c, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < c->config.env.len; i++)
        if (strncmp(c->config.env.items[i], key, n) == 0 && c->config.env.items[i][n] == '=')
            return c->config.env.items[i] + n + 1;
    return NULL;
}

static bool has(const struct root_build *r, const char *text)
{
    if (strstr(buf_cstr(&r->out), text))
        return true;
    fprintf(stderr, "output lacks [%s]:\n%s\n", text, buf_cstr(&r->out));
    return false;
}

static void test_base_env(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    static const char df[] =
        "FROM envbase\n"
        "WORKDIR $APP_HOME/sub\n"
        "ENV GREETING=\"hello $FOO\" PATH=/extra:$PATH\n"
        "COPY a.txt ${APP_HOME}/\n"
        "RUN echo \"g=$GREETING foo=$FOO p=$PATH\" && pwd && cat /opt/app/a.txt\n"
        "ARG FOO\n"
        "ENV AFTER=$FOO\n"
        "RUN echo \"after=$AFTER foo=$FOO\"\n";
    struct root_build r;
    build(&s, df, NULL, NULL, "env:1", &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "g=hello bar foo=bar p=/extra:/bin:/usr/bin\n"));
    assert_true(has(&r, ": /opt/app/sub\n"));
    assert_true(has(&r, ": hello\n"));
    /* ARG FOO with no value leaves the image's FOO. */
    assert_true(has(&r, "after=bar foo=bar\n"));
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "env:1", &a, &c);
    assert_string_equal(c.config.working_dir, "/opt/app/sub");
    assert_string_equal(env_of(&c, "GREETING"), "hello bar");
    assert_string_equal(env_of(&c, "PATH"), "/extra:/bin:/usr/bin");
    assert_string_equal(env_of(&c, "AFTER"), "bar");
    arena_release(&a);
    run_release(&r);

    /* A build arg reaches the declared ARG: it wins over the image's FOO
     * from that line on, in expansion and in RUN's environment. */
    const char *args[] = { "FOO=cli", NULL };
    build(&s, df, args, NULL, "env:2", &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "STEP 5/8: CACHED\n")); /* FOO is declared after it */
    assert_true(has(&r, "after=cli foo=cli\n"));
    run_release(&r);

    /* RUN's history lists the build args as BuildKit's runCommandString:
     * the base stage's first, each with the value the environment has
     * there (an ENV's, the image's). */
    build(&s,
          "FROM envbase AS p\nARG PA=1\nENV PA=2\nFROM p\nARG CB=3\nARG FOO\n"
          "RUN echo \"$PA $CB $FOO\"\n",
          NULL, NULL, "hist:1", &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, ": 2 3 bar\n"));
    arena_init(&a);
    config_of(&s, "hist:1", &a, &c);
    assert_string_equal(c.history[c.n_history - 1].created_by,
                        "RUN |3 PA=2 CB=3 FOO=bar /bin/sh -c echo \"$PA $CB $FOO\" # buildkit");
    arena_release(&a);
    run_release(&r);

    /* PATH is added to a config that has none, as BuildKit does, and
     * FROM scratch gets it too. */
    build(&s, "FROM nopath\nRUN echo \"path=$PATH only=$ONLY\"\n", NULL, NULL, "np:1", &r);
    assert_int_equal(r.rc, 0);
    assert_true(
        has(&r, "path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin only=1"));
    arena_init(&a);
    config_of(&s, "np:1", &a, &c);
    assert_non_null(env_of(&c, "PATH"));
    arena_release(&a);
    run_release(&r);
    build(&s, "FROM scratch\nCOPY a.txt /\n", NULL, NULL, "sc:1", &r);
    assert_int_equal(r.rc, 0);
    arena_init(&a);
    config_of(&s, "sc:1", &a, &c);
    assert_string_equal(env_of(&c, "PATH"),
                        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    arena_release(&a);
    run_release(&r);
    bld_store_close(&s);
}

static void test_onbuild(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    /* The image's triggers run first in the stage: `ARG WHO` imports the
     * downstream global ARG (or the build arg), ENV sees it, and both stay
     * visible to the stage's own instructions. */
    static const char df[] = "ARG WHO=global\n"
                             "FROM obbase\n"
                             "ARG LATER=x\n"
                             "RUN echo \"trig=$TRIG who=$WHO\" && cat /trig\n";
    struct root_build r;
    build(&s, df, NULL, NULL, "ob:1", &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "STEP 3/3: trig=from-global who=global\n"));
    assert_true(has(&r, "STEP 3/3: trig-ran\n"));
    assert_true(has(&r, "STEP 1/3: RUN echo trig-ran > /trig\n"));
    /* Trigger steps are reported on the FROM line. */
    size_t on_from = 0;
    for (size_t i = 0; i < r.rep.steps.len; i++)
        on_from += r.rep.steps.items[i].line == 2;
    assert_int_equal(on_from, 4); /* FROM and its three triggers */
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "ob:1", &a, &c);
    assert_string_equal(env_of(&c, "TRIG"), "from-global");
    assert_int_equal(c.config.on_build.len, 0);
    arena_release(&a);
    run_release(&r);

    const char *args[] = { "WHO=cli", NULL };
    build(&s, df, args, NULL, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "trig=from-cli who=cli\n"));
    run_release(&r);

    /* A trigger naming a stage that nothing else needs gets it built
     * (BuildKit resolves the stages again after adding the triggers). */
    build(&s,
          "FROM envbase AS helper\nRUN echo helped > /h\nFROM envbase AS base\n"
          "ONBUILD COPY --from=helper /h /h\nFROM base\nRUN cat /h\n",
          NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, ": helped\n"));
    run_release(&r);

    /* A trigger may not be FROM: the error names the FROM line. */
    build(&s, "FROM envbase AS x\nFROM badob\nRUN true\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_int_equal(r.e.line, 2);
    assert_non_null(strstr(r.e.msg, "FROM isn't allowed as an ONBUILD trigger"));
    run_release(&r);
    bld_store_close(&s);
}

static void test_platforms(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    /* Each stage gets the manifest of its platform from the index; a
     * stage without RUN builds for another platform. */
    static const char df[] = "FROM --platform=linux/arm64 multi AS arm\n"
                             "COPY a.txt /a.txt\n"
                             "FROM --platform=$BUILDPLATFORM multi\n"
                             "COPY --from=arm /plat /a.txt /from-arm/\n"
                             "RUN cat /from-arm/plat /from-arm/a.txt && echo \"plat=$PLAT\"\n";
    struct root_build r;
    build(&s, df, NULL, NULL, "plat:1", &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "STEP 3/3: arm64\n"));
    assert_true(has(&r, "STEP 3/3: hello\n"));
    assert_true(has(&r, "STEP 3/3: plat=amd64\n"));
    run_release(&r);

    /* The target platform: TARGETPLATFORM and its parts, the manifest of
     * stages without --platform, the image's os and architecture. */
    static const char df2[] = "FROM multi\n"
                              "ARG TARGETPLATFORM TARGETARCH\n"
                              "ENV T=$TARGETPLATFORM/$TARGETARCH P=$PLAT\n"
                              "COPY a.txt /\n";
    build(&s, df2, NULL, "linux/arm64", "plat:2", &r);
    assert_int_equal(r.rc, 0);
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "plat:2", &a, &c);
    assert_string_equal(c.architecture, "arm64");
    assert_string_equal(env_of(&c, "T"), "linux/arm64/arm64");
    assert_string_equal(env_of(&c, "P"), "arm64");
    assert_int_equal(c.n_diff_ids, 2);
    arena_release(&a);
    run_release(&r);
    build(&s, "FROM scratch\nCOPY a.txt /\n", NULL, "linux/arm/v7", "plat:3", &r);
    assert_int_equal(r.rc, 0);
    arena_init(&a);
    config_of(&s, "plat:3", &a, &c);
    assert_string_equal(c.architecture, "arm");
    assert_string_equal(c.variant, "v7");
    arena_release(&a);
    run_release(&r);

    /* A RUN the kernel cannot execute names the platform and the cure. */
    build(&s, "FROM --platform=linux/arm64 multi\nRUN true\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_UNSUPPORTED);
    assert_int_equal(r.e.line, 2);
    assert_non_null(strstr(r.e.msg, "exec format error"));
    assert_non_null(strstr(r.e.msg, "linux/arm64"));
    assert_non_null(strstr(r.e.msg, "binfmt_misc"));
    run_release(&r);

    /* No manifest for the platform; a bad platform. */
    build(&s, "FROM --platform=linux/s390x multi\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_non_null(strstr(r.e.msg, "no manifest for linux/s390x"));
    run_release(&r);
    build(&s, "FROM --platform=linux//x multi\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_int_equal(r.e.line, 1);
    run_release(&r);
    build(&s, "ARG P=\nFROM --platform=$P multi\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_non_null(strstr(r.e.msg, "empty platform value"));
    run_release(&r);
    build(&s, "FROM scratch\n", NULL, "linux/", NULL, &r);
    assert_int_equal(r.rc, ERR_USAGE);
    run_release(&r);
    bld_store_close(&s);
}

static void test_empty_layer(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    /* A RUN that changes nothing makes no layer; its history entry says
     * empty_layer, as BuildKit exports it. */
    static const char df[] = "FROM envbase\nRUN true\nRUN echo x > /x\nWORKDIR /etc\n";
    struct root_build r;
    build(&s, df, NULL, NULL, "empty:1", &r);
    assert_int_equal(r.rc, 0);
    assert_false(r.rep.steps.items[1].has_layer);
    assert_true(r.rep.steps.items[2].has_layer);
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "empty:1", &a, &c);
    assert_int_equal(c.n_diff_ids, 2);
    assert_int_equal(c.n_history, 4);
    assert_true(c.history[1].empty_layer);
    assert_false(c.history[2].empty_layer);
    /* WORKDIR of a directory that exists: no layer either. */
    assert_true(c.history[3].empty_layer);
    assert_string_equal(c.config.working_dir, "/etc");
    arena_release(&a);
    struct root_build r2;
    build(&s, df, NULL, NULL, "empty:2", &r2);
    assert_int_equal(r2.rc, 0);
    assert_int_equal(hits(&r2), 4);
    assert_memory_equal(&r.res.manifest, &r2.res.manifest, sizeof r.res.manifest);
    run_release(&r);
    run_release(&r2);

    /* The directories a WORKDIR makes belong to the USER, as BuildKit's
     * mkdir for WORKDIR runs as it. */
    build(&s,
          "FROM envbase\nUSER app\nWORKDIR /made/deep\nRUN stat -c %u:%g /made /made/deep /etc\n",
          NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "STEP 4/4: 1000:1000\n[stage 1/1] STEP 4/4: 1000:1000\n"));
    assert_true(has(&r, "STEP 4/4: 0:0\n"));
    run_release(&r);
    build(&s, "FROM envbase\nUSER ghost\nWORKDIR /x\n", NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_NOT_FOUND);
    assert_int_equal(r.e.line, 3);
    run_release(&r);
    bld_store_close(&s);
}

static void test_cache_kinds(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    char ctx[400], line[16], p[600];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "one\n", 4, 0644);
    static const char df[] = "FROM envbase\n"
                             "ARG V=1\n"
                             "COPY a.txt /a.txt\n"
                             "RUN echo \"v=$V\" > /v\n";
    struct root_build r;
    build_in(&s, ctx, df, NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(cache_line(&r, line, sizeof line), "HMMM");
    run_release(&r);
    /* Nothing changed: every step hits. */
    build_in(&s, ctx, df, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHHH");
    run_release(&r);
    /* An unrelated file and a new mtime change nothing. */
    write_file(ctx, "other.txt", "x\n", 2, 0644);
    snprintf(p, sizeof p, "%s/a.txt", ctx);
    struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    build_in(&s, ctx, df, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHHH");
    run_release(&r);
    /* The mode of a copied file: a miss from the COPY on. */
    assert_int_equal(chmod(p, 0600), 0);
    build_in(&s, ctx, df, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHMM");
    run_release(&r);
    /* Its content likewise. */
    write_file(ctx, "a.txt", "two\n", 4, 0600);
    build_in(&s, ctx, df, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHMM");
    run_release(&r);
    /* A build arg: only the steps after its ARG that use the scope. */
    const char *args[] = { "V=2", NULL };
    build_in(&s, ctx, df, args, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHHM");
    run_release(&r);
    /* The instruction text. */
    static const char df2[] = "FROM envbase\n"
                              "ARG V=1\n"
                              "COPY a.txt /a.txt\n"
                              "RUN echo \"v=$V\"  > /v\n";
    build_in(&s, ctx, df2, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHHM");
    run_release(&r);
    /* Another Dockerfile in another context with the same steps: the
     * cache survives across builds and Dockerfiles. */
    char ctx2[400];
    new_dir(ctx2, sizeof ctx2, "ctx");
    write_file(ctx2, "a.txt", "two\n", 4, 0600);
    static const char df3[] = "# another file\n"
                              "FROM envbase\n"
                              "ARG V=1\n"
                              "COPY a.txt /a.txt\n"
                              "RUN echo \"v=$V\" > /v\n"
                              "RUN echo more\n";
    build_in(&s, ctx2, df3, NULL, NULL, NULL, &r);
    assert_string_equal(cache_line(&r, line, sizeof line), "HHHHM");
    run_release(&r);
    bld_store_close(&s);
}

static void test_every_instruction(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    char ctx[400], cmd[1400];
    new_dir(ctx, sizeof ctx, "ctx");
    write_file(ctx, "a.txt", "hello\n", 6, 0644);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir -p d1/sub src && echo parent > d1/sub/f.txt && "
             "echo xz > src/x && echo bz > src/y && echo zs > src/z && "
             "tar -cJf x.tar.xz -C src x && tar -cjf y.tar.bz2 -C src y && "
             "tar --zstd -cf z.tar.zst -C src z",
             ctx);
    if (system(cmd) != 0) {
        bld_store_close(&s);
        skip();
    }
    static const char df[] = "FROM envbase AS base\n"
                             "LABEL org.example.a=1 \"b c\"=d\n"
                             "MAINTAINER someone\n"
                             "EXPOSE 8080 53/udp\n"
                             "ENV E=1\n"
                             "ARG A=2\n"
                             "WORKDIR /w\n"
                             "SHELL [\"/bin/sh\", \"-e\", \"-c\"]\n"
                             "RUN echo \"a=$A e=$E\" > /w/run.txt\n"
                             "COPY --link a.txt /linked/\n"
                             "COPY --parents d1/sub/f.txt /par/\n"
                             "ADD x.tar.xz y.tar.bz2 z.tar.zst /arch/\n"
                             "ADD a.txt /added.txt\n"
                             "COPY <<EOF /here.txt\n"
                             "heredoc $E\n"
                             "EOF\n"
                             "USER 1000:1000\n"
                             "VOLUME /data\n"
                             "STOPSIGNAL SIGUSR1\n"
                             "HEALTHCHECK --interval=5s CMD [\"true\"]\n"
                             "ONBUILD RUN echo child-trigger\n"
                             "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n"
                             "CMD [\"cat /w/run.txt\"]\n"
                             "FROM base\n"
                             "COPY --from=0 /w/run.txt /by-index.txt\n"
                             "RUN cat /w/run.txt /linked/a.txt /par/d1/sub/f.txt /arch/x /arch/y "
                             "/arch/z /here.txt /added.txt /by-index.txt && id -u\n";
    struct root_build r;
    build_in(&s, ctx, df, NULL, NULL, "every:1", &r);
    assert_int_equal(r.rc, 0);
    static const char *const lines[] = { "a=2 e=1", "hello",     "parent", "xz",           "bz",
                                         "zs",      "heredoc 1", "1000",   "child-trigger" };
    size_t twice = 0;
    for (const char *q = buf_cstr(&r.out); (q = strstr(q, ": a=2 e=1\n")); q++)
        twice++;
    assert_int_equal(twice, 2); /* run.txt, and its copy by stage index */
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        char want[64];
        snprintf(want, sizeof want, ": %s\n", lines[i]);
        assert_true(has(&r, want));
    }
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    config_of(&s, "every:1", &a, &c);
    assert_string_equal(c.author, "someone");
    assert_int_equal(c.config.n_labels, 2);
    assert_int_equal(c.config.exposed_ports.len, 2);
    assert_string_equal(env_of(&c, "E"), "1");
    assert_string_equal(c.config.working_dir, "/w");
    assert_int_equal(c.config.shell.len, 3);
    assert_string_equal(c.config.shell.items[1], "-e");
    assert_string_equal(c.config.user, "1000:1000");
    assert_int_equal(c.config.volumes.len, 1);
    assert_string_equal(c.config.stop_signal, "SIGUSR1");
    assert_non_null(c.config.healthcheck);
    assert_int_equal(c.config.healthcheck->interval, 5000000000LL);
    assert_int_equal(c.config.entrypoint.len, 2);
    assert_int_equal(c.config.cmd.len, 1);
    /* The triggers ran in the stage built on base and are not carried. */
    assert_int_equal(c.config.on_build.len, 0);
    arena_release(&a);
    run_release(&r);

    /* --target base keeps its ONBUILD trigger in the image. */
    target = "base";
    build_in(&s, ctx, df, NULL, NULL, "every:base", &r);
    target = NULL;
    assert_int_equal(r.rc, 0);
    arena_init(&a);
    config_of(&s, "every:base", &a, &c);
    assert_int_equal(c.config.on_build.len, 1);
    assert_string_equal(c.config.on_build.items[0], "RUN echo child-trigger");
    arena_release(&a);
    run_release(&r);
    bld_store_close(&s);
}

static void test_concurrent_stages(void **state)
{
    (void)state;
    struct bld_store s;
    open_store(&s);
    /* Stages one and two need nothing from each other: they build at
     * once (the second starts before the first's RUN is done), the last
     * waits for both; the report lists the steps in file order. */
    static const char df[] = "FROM envbase AS one\n"
                             "RUN sleep 1 && echo one > /one\n"
                             "FROM envbase AS two\n"
                             "RUN echo two > /two\n"
                             "FROM envbase\n"
                             "COPY --from=one /one /\n"
                             "COPY --from=two /two /\n"
                             "RUN cat /one /two\n";
    struct root_build r;
    build(&s, df, NULL, NULL, "par:1", &r);
    assert_int_equal(r.rc, 0);
    const char *out = buf_cstr(&r.out);
    const char *two_started = strstr(out, "STEP 1/2: FROM envbase AS two\n");
    const char *one_done = strstr(out, "STEP 2/2: DONE");
    assert_non_null(two_started);
    assert_non_null(one_done);
    assert_true(two_started < one_done);
    assert_true(has(&r, "STEP 4/4: one\n"));
    assert_true(has(&r, "STEP 4/4: two\n"));
    assert_int_equal(r.rep.steps.len, 8);
    assert_string_equal(r.rep.steps.items[0].stage, "one");
    assert_string_equal(r.rep.steps.items[1].stage, "one");
    assert_string_equal(r.rep.steps.items[2].stage, "two");
    assert_int_equal(r.rep.steps.items[3].line, 4);
    assert_true(r.rep.steps.items[3].has_layer);
    assert_int_equal(r.rep.image.layers, 3); /* base and the two COPYs */
    /* Fully cached the second time, the same image. */
    struct root_build r2;
    build(&s, df, NULL, NULL, "par:2", &r2);
    assert_int_equal(r2.rc, 0);
    assert_int_equal(hits(&r2), 8);
    assert_memory_equal(&r.res.manifest, &r2.res.manifest, sizeof r.res.manifest);
    run_release(&r);
    run_release(&r2);

    /* A failing stage fails the build with its exit code and line. */
    build(&s,
          "FROM envbase AS a\nRUN echo fine\nFROM envbase AS b\nRUN exit 5\n"
          "FROM envbase\nCOPY --from=a /etc/passwd /p\nCOPY --from=b /etc/passwd /q\n",
          NULL, NULL, NULL, &r);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_int_equal(r.res.run_status, 5);
    assert_int_equal(r.e.line, 4);
    assert_non_null(strstr(r.e.msg, "exit code: 5"));
    assert_false(r.res.has_image);
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
    int rc =
        root_env_setup("the build tests", "dw-build-sem", base, sizeof base, rootfs, sizeof rootfs);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_env),          cmocka_unit_test(test_onbuild),
        cmocka_unit_test(test_platforms),         cmocka_unit_test(test_empty_layer),
        cmocka_unit_test(test_cache_kinds),       cmocka_unit_test(test_every_instruction),
        cmocka_unit_test(test_concurrent_stages),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
