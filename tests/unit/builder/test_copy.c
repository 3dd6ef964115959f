/* COPY/ADD: --chmod parsing, --chown resolution, source selection (files,
 * directories, globs, symlinks, hard links, --exclude, --parents, the
 * ignore file, heredocs), destination rules, layered trees, ADD of local
 * archives of every compression, and the content digest. Runs as any
 * user: ownership is checked in test_copy_root.c. */
#include "analyzer/dockerignore.h"
#include "builder/copy.h"
#include "builder/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-copy-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

/* dir/<rel>, in a static ring of buffers. */
static const char *P(const char *fmt, ...)
{
    static char bufs[8][1536];
    static int next;
    char *b = bufs[next++ % 8];
    char rel[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
    return b;
}

static void mkdirs(const char *path, mode_t mode)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, mode);
    chmod(tmp, mode);
}

static void put(const char *path, const char *content, mode_t mode)
{
    char parent[1024];
    snprintf(parent, sizeof parent, "%s", path);
    *strrchr(parent, '/') = '\0';
    mkdirs(parent, 0755);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void sym(const char *path, const char *target)
{
    char parent[1024];
    snprintf(parent, sizeof parent, "%s", path);
    *strrchr(parent, '/') = '\0';
    mkdirs(parent, 0755);
    assert_int_equal(symlink(target, path), 0);
}

static const char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (unsigned)st.st_mode & 07777;
}

static void assert_file(const char *path, const char *content)
{
    const char *got = slurp(path);
    if (!got)
        fail_msg("missing file %s", path);
    assert_string_equal(got, content);
}

/* One COPY/ADD from a tree into one or more destination layers. */
struct copy {
    bool add;
    const char *from[4]; /* source layers, top first; NULL-terminated */
    bool context;
    const struct di_file *ignore;
    const char *srcs[8];
    struct bld_src heredoc; /* used when its path is set */
    const char *dest;
    const char *workdir;
    const char *layers[4]; /* destination layers, upper first */
    const char *exclude[4];
    bool parents;
    const char *chmod, *chown;
    int unpack; /* 0: default, 1: --unpack, 2: --unpack=false */
    bool epoch_set;
    int64_t epoch;
};

static int run(const struct copy *c, struct bld_copy_sel **sel_out, struct arena *a,
               struct err *err)
{
    struct bld_src srcs[9];
    size_t n = 0;
    for (; n < 8 && c->srcs[n]; n++) {
        srcs[n].kind = BLD_SRC_PATH;
        srcs[n].path = c->srcs[n];
        srcs[n].data = NULL;
        srcs[n].len = 0;
    }
    if (c->heredoc.path)
        srcs[n++] = c->heredoc;
    size_t nf = 0, nl = 0, ne = 0;
    while (nf < 4 && c->from[nf])
        nf++;
    while (nl < 4 && c->layers[nl])
        nl++;
    while (ne < 4 && c->exclude[ne])
        ne++;
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.add = c->add;
    o.srcs = srcs;
    o.n_srcs = n;
    o.from.layers = c->from;
    o.from.n_layers = nf;
    o.from_context = c->context;
    o.ignore = c->ignore;
    o.exclude = c->exclude;
    o.n_exclude = ne;
    o.parents = c->parents;
    o.chmod = c->chmod;
    o.chown = c->chown;
    o.unpack = c->unpack == 1 ? 1 : c->unpack == 2 ? 0 : -1;
    o.epoch = c->epoch_set ? c->epoch : -1;
    o.tmp_dir = dir;
    struct bld_copy_sel *sel;
    int rc = bld_copy_select(&o, a, &sel, err);
    if (rc)
        return rc;
    if (sel_out)
        *sel_out = sel;
    if (!nl)
        return 0;
    struct bld_copy_dest d;
    memset(&d, 0, sizeof d);
    d.dest = c->dest;
    d.workdir = c->workdir;
    d.tree.layers = c->layers;
    d.tree.n_layers = nl;
    return bld_copy_apply(sel, &d, NULL, err);
}

static void copy_ok(const struct copy *c)
{
    struct arena a;
    arena_init(&a);
    struct err err;
    err_clear(&err);
    int rc = run(c, NULL, &a, &err);
    if (rc)
        fail_msg("copy failed: %s", err.msg);
    arena_release(&a);
}

static void copy_fails(const struct copy *c, int code, const char *msg)
{
    struct arena a;
    arena_init(&a);
    struct err err;
    err_clear(&err);
    int rc = run(c, NULL, &a, &err);
    if (rc == 0)
        fail_msg("copy succeeded, expected: %s", msg);
    assert_int_equal(rc, code);
    if (!strstr(err.msg, msg))
        fail_msg("message '%s' lacks '%s'", err.msg, msg);
    arena_release(&a);
}

/* ---- --chmod --------------------------------------------------------- */

static void test_chmod_table(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        unsigned from;
        bool dir;
        unsigned want;
    } cases[] = {
        { "755", 0644, false, 0755 },
        { "0640", 0777, false, 0640 },
        { "07777", 0, false, 07777 },
        { "0", 0755, false, 0 },
        { "+x", 0644, false, 0755 },
        { "u+x", 0644, false, 0744 },
        { "go-w", 0666, false, 0644 },
        { "a=r", 0777, false, 0444 },
        { "u=rwx,go=rx", 0600, false, 0755 },
        /* The Go mode package BuildKit uses honours X only after '+':
         * in "u=rwX" it is ignored, even for directories. */
        { "u=rwX,go=rX", 0640, false, 0644 },
        { "u=rwX,go=rX", 0700, false, 0644 },
        { "u=rwX,go=rX", 0700, true, 0644 },
        { "a=r,a+X,u+w", 0700, true, 0755 },
        { "a=r,a+X,u+w", 0600, false, 0644 },
        { "a=r,a+X,u+w", 0710, false, 0755 },
        /* Cases of that package's own tests (umask 0 there; these do not
         * depend on it). */
        { "=", 0777, false, 0 },
        { "+", 0421, false, 0421 },
        { "-", 0421, false, 0421 },
        { "u=", 0777, false, 0077 },
        { "u=g-w", 0762, false, 0462 },
        { "u+go", 0021, false, 0321 },
        { "go=u-w", 0370, false, 0311 },
        { "o+r,g+w,a+t,g-s,u+og", 02100, false, 01724 },
        { "o+s", 0, false, 0 },
        { "-s", 06777, false, 0777 },
        { "-t", 01421, false, 0421 },
        { "+w", 0444, false, 0644 }, /* umask 022 limits a class-less clause */
        { "g=u-w", 0750, false, 0750 },
        { "g=u", 0700, false, 0770 },
        { "o=", 0777, false, 0770 },
        { "u+s", 0755, false, 04755 },
        { "+t", 0755, true, 01755 },
        { "u-x,+X", 0644, false, 0644 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct bld_chmod c;
        struct err err;
        if (bld_chmod_parse(cases[i].spec, &c, &err))
            fail_msg("'%s' refused: %s", cases[i].spec, err.msg);
        unsigned got = bld_chmod_apply(&c, cases[i].from, cases[i].dir);
        if (got != cases[i].want)
            fail_msg("'%s' on %04o: got %04o, want %04o", cases[i].spec, cases[i].from, got,
                     cases[i].want);
    }
    static const char *const bad[] = { "8", "0999",  "010000", "12345678901", "u+q",
                                       "x", "a+rw,", "+x y",   "ug",          ",",
                                       "u", "q+r",   "017777" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct bld_chmod c;
        struct err err;
        if (bld_chmod_parse(bad[i], &c, &err) == 0)
            fail_msg("'%s' accepted", bad[i]);
        char want[128];
        snprintf(want, sizeof want,
                 "invalid chmod parameter: '%s'. it should be octal string and between 0 and "
                 "07777",
                 bad[i]);
        assert_string_equal(err.msg, want);
    }
    struct bld_chmod none;
    struct err err;
    assert_int_equal(bld_chmod_parse(NULL, &none, &err), 0);
    assert_false(none.set);
    assert_int_equal(bld_chmod_apply(&none, 0100640, false), 0640);
}

/* ---- --chown --------------------------------------------------------- */

static void test_chown_resolve(void **state)
{
    (void)state;
    struct str passwd = STR_LIT("root:x:0:0:root:/root:/bin/sh\n"
                                "app:x:1000:1001:app:/home/app:/bin/sh\n"
                                "web:x:33:33::/var/www:/bin/false\n");
    struct str group = STR_LIT("root:x:0:\nstaff:x:50:app\napp:x:1001:\n");
    static const struct {
        const char *spec;
        uint32_t uid, gid;
    } ok[] = {
        { "app", 1000, 1001 }, { "app:staff", 1000, 50 }, { "1234", 1234, 1234 },
        { "1234:5", 1234, 5 }, { "web:0", 33, 0 },        { "0:staff", 0, 50 },
        { ":staff", 0, 50 },   { "app:", 1000, 1001 },    { "2147483647", 2147483647, 2147483647 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        uint32_t u = 99, g = 99;
        struct err err;
        if (bld_chown_resolve(ok[i].spec, passwd, group, &u, &g, &err))
            fail_msg("'%s': %s", ok[i].spec, err.msg);
        assert_int_equal(u, ok[i].uid);
        assert_int_equal(g, ok[i].gid);
    }
    uint32_t u, g;
    struct err err;
    assert_int_equal(bld_chown_resolve("nobody", passwd, group, &u, &g, &err), ERR_NOT_FOUND);
    assert_string_equal(err.msg, "unable to find user nobody: no matching entries in passwd file");
    assert_int_equal(bld_chown_resolve("app:wheel", passwd, group, &u, &g, &err), ERR_NOT_FOUND);
    assert_string_equal(err.msg, "unable to find group wheel: no matching entries in group file");
    assert_int_equal(bld_chown_resolve("app", STR_NULL, STR_NULL, &u, &g, &err), ERR_NOT_FOUND);
    assert_int_equal(bld_chown_resolve("2147483648", passwd, group, &u, &g, &err), ERR_INVALID);
}

/* ---- files, directories, destinations --------------------------------- */

static void test_file_destinations(void **state)
{
    (void)state;
    put(P("ctx/a.txt"), "A", 0644);
    put(P("ctx/b.sh"), "B", 0755);
    mkdirs(P("up"), 0755);
    /* A file to a new name, to a directory by trailing slash, into an
     * existing directory without one, relative to the workdir. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.txt" },
                            .dest = "/etc/renamed.txt",
                            .layers = { P("up") } });
    assert_file(P("up/etc/renamed.txt"), "A");
    assert_int_equal(mode_of(P("up/etc")), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "b.sh" },
                            .dest = "/opt/bin/",
                            .layers = { P("up") } });
    assert_file(P("up/opt/bin/b.sh"), "B");
    assert_int_equal(mode_of(P("up/opt/bin/b.sh")), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.txt" },
                            .dest = "/opt/bin",
                            .layers = { P("up") } });
    assert_file(P("up/opt/bin/a.txt"), "A");
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.txt" },
                            .dest = "sub/",
                            .workdir = "/app",
                            .layers = { P("up") } });
    assert_file(P("up/app/sub/a.txt"), "A");
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "./a.txt" },
                            .dest = ".",
                            .workdir = "/w",
                            .layers = { P("up") } });
    assert_file(P("up/w/a.txt"), "A");
    /* `..` cannot leave the context. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "../../a.txt" },
                            .dest = "/x.txt",
                            .layers = { P("up") } });
    assert_file(P("up/x.txt"), "A");
    /* Overwriting a file replaces it. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "b.sh" },
                            .dest = "/x.txt",
                            .layers = { P("up") } });
    assert_file(P("up/x.txt"), "B");
    /* --chmod. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.txt" },
                            .dest = "/m/",
                            .chmod = "0600",
                            .layers = { P("up") } });
    assert_int_equal(mode_of(P("up/m/a.txt")), 0600);
    assert_int_equal(mode_of(P("up/m")), 0755);
}

static void test_directory_contents(void **state)
{
    (void)state;
    put(P("ctx/src/one.txt"), "1", 0644);
    put(P("ctx/src/deep/two.txt"), "2", 0600);
    mkdirs(P("ctx/src/empty"), 0700);
    mkdirs(P("up"), 0755);
    /* The directory's contents land in the destination; the directory
     * itself is not created there. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "src" },
                            .dest = "/app",
                            .layers = { P("up") } });
    assert_file(P("up/app/one.txt"), "1");
    assert_file(P("up/app/deep/two.txt"), "2");
    assert_int_equal(mode_of(P("up/app/deep/two.txt")), 0600);
    assert_int_equal(mode_of(P("up/app/empty")), 0700);
    assert_false(exists(P("up/app/src")));
    assert_int_equal(mode_of(P("up/app")), 0755);
    /* `.` copies the whole context. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "." },
                            .dest = "/all/",
                            .layers = { P("up") } });
    assert_file(P("up/all/src/deep/two.txt"), "2");
    /* --chmod applies to directories too. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "src" },
                            .dest = "/ch",
                            .chmod = "a=r,a+X,u+w",
                            .layers = { P("up") } });
    assert_int_equal(mode_of(P("up/ch/empty")), 0755);
    assert_int_equal(mode_of(P("up/ch/deep/two.txt")), 0644);
    /* A directory cannot replace a file, nor a file a directory. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "src" },
                               .dest = "/all/src/one.txt",
                               .layers = { P("up") } },
               ERR_INVALID, "not a directory");
    put(P("ctx/src2/deep"), "a file named like a directory", 0644);
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "src2" },
                               .dest = "/all/src",
                               .layers = { P("up") } },
               ERR_INVALID, "cannot replace directory \"/all/src/deep\" with a file");
}

static void test_globs(void **state)
{
    (void)state;
    put(P("ctx/a.txt"), "a", 0644);
    put(P("ctx/b.txt"), "b", 0644);
    put(P("ctx/c.md"), "c", 0644);
    put(P("ctx/d1/x.txt"), "x1", 0644);
    put(P("ctx/d2/x.txt"), "x2", 0644);
    put(P("ctx/d2/y.txt"), "y2", 0644);
    mkdirs(P("up"), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "*.txt" },
                            .dest = "/g/",
                            .layers = { P("up") } });
    assert_file(P("up/g/a.txt"), "a");
    assert_file(P("up/g/b.txt"), "b");
    assert_false(exists(P("up/g/c.md")));
    /* `*` stays inside one segment: d?/x.txt matches two files. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "d?/x.txt" },
                            .dest = "/h/",
                            .layers = { P("up") } });
    assert_file(P("up/h/x.txt"), "x2"); /* the later match wins */
    /* A matched directory contributes its contents. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "d[2]" },
                            .dest = "/i",
                            .layers = { P("up") } });
    assert_file(P("up/i/y.txt"), "y2");
    /* A glob matching nothing copies nothing (BuildKit), and is no error. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "*.none" },
                            .dest = "/j/",
                            .layers = { P("up") } });
    assert_false(exists(P("up/j")));
    /* ... but its missing fixed directory is. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "nodir/*.txt" },
                               .dest = "/k/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "failed to compute cache key: \"/nodir\": not found");
    /* A malformed pattern. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "a[" },
                               .dest = "/k/",
                               .layers = { P("up") } },
               ERR_INVALID, "syntax error in pattern");
    /* Several files need a directory destination. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "*.txt" },
                               .dest = "/newfile",
                               .layers = { P("up") } },
               ERR_INVALID,
               "when using COPY with more than one source file, the destination must be a "
               "directory and end with a /");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "a.txt", "b.txt" },
                               .dest = "/newfile",
                               .layers = { P("up") } },
               ERR_INVALID, "the destination must be a directory");
    /* An existing directory is fine without the slash. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.txt", "b.txt" },
                            .dest = "/g",
                            .layers = { P("up") } });
}

static void test_missing_source(void **state)
{
    (void)state;
    put(P("ctx/a.txt"), "a", 0644);
    mkdirs(P("up"), 0755);
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "missing.txt" },
                               .dest = "/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "failed to compute cache key: \"/missing.txt\": not found");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "a.txt/x" },
                               .dest = "/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/a.txt/x\": not found");
    /* An empty tree (a scratch stage) has nothing. */
    copy_fails(&(struct copy){ .srcs = { "a.txt" }, .dest = "/", .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/a.txt\": not found");
    /* COPY rejects URLs and git sources; --checksum rules. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .srcs = { "https://example.com/x" },
                               .dest = "/",
                               .layers = { P("up") } },
               ERR_INVALID, "source can't be a URL for COPY");
    copy_fails(&(struct copy){ .add = true,
                               .from = { P("ctx") },
                               .srcs = { "https://github.com/moby/buildkit.git" },
                               .dest = "/",
                               .layers = { P("up") } },
               ERR_UNSUPPORTED, "git sources are not supported");
}

static void test_checksum_rules(void **state)
{
    (void)state;
    put(P("ctx/a.txt"), "a", 0644);
    struct arena a;
    arena_init(&a);
    struct bld_src src = { BLD_SRC_PATH, "a.txt", NULL, 0 };
    const char *layers[] = { P("ctx") };
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.srcs = &src;
    o.n_srcs = 1;
    o.from.layers = layers;
    o.from.n_layers = 1;
    o.checksum = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    o.epoch = -1;
    struct bld_copy_sel *sel;
    struct err err;
    assert_int_equal(bld_copy_select(&o, &a, &sel, &err), ERR_INVALID);
    assert_string_equal(err.msg, "checksum can't be specified for COPY");
    o.add = true;
    assert_int_equal(bld_copy_select(&o, &a, &sel, &err), ERR_INVALID);
    assert_string_equal(err.msg, "checksum requires HTTP(S) or Git sources");
    struct bld_src two[2] = { src, src };
    o.srcs = two;
    o.n_srcs = 2;
    assert_int_equal(bld_copy_select(&o, &a, &sel, &err), ERR_INVALID);
    assert_string_equal(err.msg, "checksum can't be specified for multiple sources");
    arena_release(&a);
}

static void test_symlinks(void **state)
{
    (void)state;
    put(P("ctx/real.txt"), "real", 0644);
    sym(P("ctx/link.txt"), "real.txt");
    sym(P("ctx/abs.txt"), "/real.txt"); /* absolute: taken from the context root */
    sym(P("ctx/escape.txt"), "../../../../etc/hostname");
    sym(P("ctx/out.txt"), "/etc/hostname");
    put(P("ctx/dir/inner.txt"), "inner", 0644);
    sym(P("ctx/dir/rel"), "inner.txt");
    sym(P("ctx/dir/dangling"), "nowhere");
    sym(P("ctx/dirlink"), "dir");
    mkdirs(P("up"), 0755);
    /* A named symlink is followed (inside the context). */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "link.txt" },
                            .dest = "/s/",
                            .layers = { P("up") } });
    assert_file(P("up/s/link.txt"), "real");
    struct stat st;
    assert_int_equal(lstat(P("up/s/link.txt"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "abs.txt" },
                            .dest = "/s/",
                            .layers = { P("up") } });
    assert_file(P("up/s/abs.txt"), "real");
    /* Links that point out of the context resolve inside it: not found. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "escape.txt" },
                               .dest = "/s/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/escape.txt\": not found");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "out.txt" },
                               .dest = "/s/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/out.txt\": not found");
    /* Below a named directory symlinks are copied as symlinks, dangling
     * ones too; a named symlink to a directory copies its contents. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "dirlink" },
                            .dest = "/d",
                            .layers = { P("up") } });
    assert_file(P("up/d/inner.txt"), "inner");
    char target[64];
    ssize_t n = readlink(P("up/d/rel"), target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "inner.txt");
    n = readlink(P("up/d/dangling"), target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "nowhere");
    /* A symlink in the destination path is followed inside the root. */
    sym(P("up/lnk"), "/d");
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "real.txt" },
                            .dest = "/lnk/",
                            .layers = { P("up") } });
    assert_file(P("up/d/real.txt"), "real");
    sym(P("up/esc"), "../../../../../../tmp");
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "real.txt" },
                            .dest = "/esc/r.txt",
                            .layers = { P("up") } });
    assert_file(P("up/tmp/r.txt"), "real");
}

static void test_hard_links(void **state)
{
    (void)state;
    put(P("ctx/h/one"), "same", 0644);
    assert_int_equal(link(P("ctx/h/one"), P("ctx/h/two")), 0);
    put(P("ctx/h/three"), "other", 0644);
    mkdirs(P("up"), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "h" },
                            .dest = "/h",
                            .layers = { P("up") } });
    struct stat a, b, c;
    assert_int_equal(lstat(P("up/h/one"), &a), 0);
    assert_int_equal(lstat(P("up/h/two"), &b), 0);
    assert_int_equal(lstat(P("up/h/three"), &c), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    assert_int_equal(a.st_nlink, 2);
    assert_int_not_equal(a.st_ino, c.st_ino);
    assert_file(P("up/h/two"), "same");
}

static void test_exclude(void **state)
{
    (void)state;
    put(P("ctx/app/main.c"), "m", 0644);
    put(P("ctx/app/notes.txt"), "n", 0644);
    put(P("ctx/app/sub/x.txt"), "x", 0644);
    put(P("ctx/app/sub/keep.txt"), "k", 0644);
    put(P("ctx/app/build/out.o"), "o", 0644);
    put(P("ctx/home.txt"), "h", 0644);
    put(P("ctx/house.c"), "c", 0644);
    mkdirs(P("up"), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "app" },
                            .dest = "/e",
                            .exclude = { "*.txt", "build" },
                            .layers = { P("up") } });
    assert_file(P("up/e/main.c"), "m");
    assert_false(exists(P("up/e/notes.txt")));
    assert_true(exists(P("up/e/sub/x.txt"))); /* `*.txt` is one segment deep */
    assert_false(exists(P("up/e/build")));
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "app" },
                            .dest = "/f",
                            .exclude = { "**/*.txt", "!sub/keep.txt" },
                            .layers = { P("up") } });
    assert_false(exists(P("up/f/sub/x.txt")));
    assert_file(P("up/f/sub/keep.txt"), "k");
    /* The Dockerfile reference's example: matches of a glob too. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "ho*" },
                            .dest = "/g/",
                            .exclude = { "*.txt" },
                            .layers = { P("up") } });
    assert_file(P("up/g/house.c"), "c");
    assert_false(exists(P("up/g/home.txt")));
}

static void test_parents(void **state)
{
    (void)state;
    put(P("ctx/x/y/z.txt"), "z", 0644);
    put(P("ctx/x/y/other.md"), "o", 0644);
    put(P("ctx/a/package.json"), "pa", 0644);
    put(P("ctx/b/package.json"), "pb", 0644);
    put(P("ctx/b/src/index.js"), "i", 0644);
    assert_int_equal(chmod(P("ctx/x"), 0750), 0);
    mkdirs(P("up"), 0755);
    /* Without ./ the parents start at the root. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .parents = true,
                            .srcs = { "x/y/z.txt" },
                            .dest = "/p/",
                            .layers = { P("up") } });
    assert_file(P("up/p/x/y/z.txt"), "z");
    assert_false(exists(P("up/p/x/y/other.md")));
    assert_int_equal(mode_of(P("up/p/x")), 0750); /* parents keep their metadata */
    /* ./ marks where they start. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .parents = true,
                            .srcs = { "./x/./y/z.txt" },
                            .dest = "/q/",
                            .layers = { P("up") } });
    assert_file(P("up/q/y/z.txt"), "z");
    assert_false(exists(P("up/q/x")));
    /* Globs keep each match's parents. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .parents = true,
                            .srcs = { "*/package.json" },
                            .dest = "/r/",
                            .layers = { P("up") } });
    assert_file(P("up/r/a/package.json"), "pa");
    assert_file(P("up/r/b/package.json"), "pb");
    assert_false(exists(P("up/r/b/src")));
    /* A matched directory brings everything below it. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .parents = true,
                            .srcs = { "b/src" },
                            .dest = "/s/",
                            .layers = { P("up") } });
    assert_file(P("up/s/b/src/index.js"), "i");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .parents = true,
                               .srcs = { "x/nope.txt" },
                               .dest = "/t/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/x/nope.txt\": not found");
}

static void test_dockerignore(void **state)
{
    (void)state;
    put(P("ctx/app.py"), "app", 0644);
    put(P("ctx/secret.env"), "s", 0600);
    put(P("ctx/build/a.o"), "a", 0644);
    put(P("ctx/build/keep.txt"), "k", 0644);
    put(P("ctx/logs/x.log"), "l", 0644);
    put(P("ctx/src/main.c"), "m", 0644);
    put(P("ctx/src/main.o"), "o", 0644);
    mkdirs(P("up"), 0755);
    struct arena a;
    arena_init(&a);
    const char text[] = "secret.env\nbuild\n!build/keep.txt\nlogs\n**/*.o\n";
    struct di_file *ig;
    struct err err;
    assert_int_equal(di_load(&a, ".dockerignore", text, sizeof text - 1, &ig, &err), 0);
    /* Naming an ignored file is an error naming the pattern. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .ignore = ig,
                               .srcs = { "secret.env" },
                               .dest = "/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND,
               "failed to compute cache key: \"/secret.env\": not found: \"/secret.env\" is "
               "excluded by .dockerignore:1 ('secret.env')");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .ignore = ig,
                               .srcs = { "logs" },
                               .dest = "/l/",
                               .layers = { P("up") } },
               ERR_NOT_FOUND, "\"/logs\": not found");
    /* `COPY . .` leaves ignored entries out; an exception comes back. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .ignore = ig,
                            .srcs = { "." },
                            .dest = "/all/",
                            .layers = { P("up") } });
    assert_file(P("up/all/app.py"), "app");
    assert_false(exists(P("up/all/secret.env")));
    assert_false(exists(P("up/all/logs")));
    assert_false(exists(P("up/all/build/a.o")));
    assert_file(P("up/all/build/keep.txt"), "k");
    assert_file(P("up/all/src/main.c"), "m");
    assert_false(exists(P("up/all/src/main.o")));
    /* Globs do not match ignored files. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .ignore = ig,
                            .srcs = { "s*" },
                            .dest = "/g/",
                            .layers = { P("up") } });
    assert_false(exists(P("up/g/secret.env")));
    assert_file(P("up/g/main.c"), "m");
    /* Nor an ignored directory that exceptions leave empty. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .ignore = ig,
                            .srcs = { "l*" },
                            .dest = "/lg/",
                            .layers = { P("up") } });
    assert_false(exists(P("up/lg")));
    arena_release(&a);
}

static void test_heredoc(void **state)
{
    (void)state;
    mkdirs(P("up"), 0755);
    static const char body[] = "line one\nline two\n";
    copy_ok(&(struct copy){ .heredoc = { BLD_SRC_HEREDOC, "EOF", body, sizeof body - 1 },
                            .dest = "/etc/app.conf",
                            .layers = { P("up") } });
    assert_file(P("up/etc/app.conf"), body);
    assert_int_equal(mode_of(P("up/etc/app.conf")), 0644);
    copy_ok(&(struct copy){ .heredoc = { BLD_SRC_HEREDOC, "run.sh", "#!/bin/sh\n", 10 },
                            .dest = "/bin/",
                            .chmod = "755",
                            .layers = { P("up") } });
    assert_file(P("up/bin/run.sh"), "#!/bin/sh\n");
    assert_int_equal(mode_of(P("up/bin/run.sh")), 0755);
}

/* ---- layered trees ---------------------------------------------------- */

static void test_layered_destination(void **state)
{
    (void)state;
    put(P("ctx/new.txt"), "new", 0644);
    put(P("ctx/tree/conf/x.conf"), "x", 0644);
    /* The image: /app (0750) with old.txt, /data a file, /gone whited out
     * by the upper of two lower layers. */
    put(P("l2/app/old.txt"), "old", 0644);
    assert_int_equal(chmod(P("l2/app"), 0750), 0);
    put(P("l2/data"), "file", 0644);
    put(P("l2/gone/x"), "x", 0644);
    mkdirs(P("l1"), 0755);
    int wh = mknod(P("l1/gone"), S_IFCHR | 0, makedev(0, 0));
    mkdirs(P("up"), 0755);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "new.txt" },
                            .dest = "/app/",
                            .layers = { P("up"), P("l1"), P("l2") } });
    /* /app is copied up with its metadata; old.txt stays in the lower. */
    assert_file(P("up/app/new.txt"), "new");
    assert_int_equal(mode_of(P("up/app")), 0750);
    assert_false(exists(P("up/app/old.txt")));
    /* An existing directory receives a file by name. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "new.txt" },
                            .dest = "/app",
                            .layers = { P("up"), P("l1"), P("l2") } });
    /* A lower file is replaced by writing the upper one. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "new.txt" },
                            .dest = "/data",
                            .layers = { P("up"), P("l1"), P("l2") } });
    assert_file(P("up/data"), "new");
    /* A lower file cannot become a directory. */
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "new.txt" },
                               .dest = "/data/x/",
                               .layers = { P("up"), P("l1"), P("l2") } },
               ERR_INVALID, "not a directory");
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "tree" },
                               .dest = "/data",
                               .layers = { P("up"), P("l1"), P("l2") } },
               ERR_INVALID, "not a directory");
    /* A lower directory cannot become a file. */
    put(P("ctx/flat/app"), "file", 0644);
    copy_fails(&(struct copy){ .from = { P("ctx") },
                               .context = true,
                               .srcs = { "flat" },
                               .dest = "/",
                               .layers = { P("up"), P("l1"), P("l2") } },
               ERR_INVALID, "cannot replace directory \"/app\" with a file");
    if (wh == 0) {
        /* A whited-out directory does not exist: it is created anew. */
        copy_ok(&(struct copy){ .from = { P("ctx") },
                                .context = true,
                                .srcs = { "new.txt" },
                                .dest = "/gone/",
                                .layers = { P("up"), P("l1"), P("l2") } });
        assert_file(P("up/gone/new.txt"), "new");
    }
}

static void test_layered_source(void **state)
{
    (void)state;
    /* A stage made of two layers: s2 (bottom) and s1 (top). */
    put(P("s2/opt/a.txt"), "a-old", 0644);
    put(P("s2/opt/b.txt"), "b", 0644);
    put(P("s2/opt/c.txt"), "c", 0644);
    put(P("s2/opq/hidden.txt"), "hidden", 0644);
    put(P("s1/opt/a.txt"), "a-new", 0644);
    put(P("s1/opq/shown.txt"), "shown", 0644);
    int wh = mknod(P("s1/opt/c.txt"), S_IFCHR | 0, makedev(0, 0));
    bool opq = setxattr(P("s1/opq"), "user.overlay.opaque", "y", 1, 0) == 0 ||
               setxattr(P("s1/opq"), "trusted.overlay.opaque", "y", 1, 0) == 0;
    mkdirs(P("up"), 0755);
    copy_ok(&(struct copy){
        .from = { P("s1"), P("s2") }, .srcs = { "/opt" }, .dest = "/o", .layers = { P("up") } });
    assert_file(P("up/o/a.txt"), "a-new");
    assert_file(P("up/o/b.txt"), "b");
    if (wh == 0)
        assert_false(exists(P("up/o/c.txt")));
    copy_ok(&(struct copy){
        .from = { P("s1"), P("s2") }, .srcs = { "/opq" }, .dest = "/q", .layers = { P("up") } });
    assert_file(P("up/q/shown.txt"), "shown");
    if (opq)
        assert_false(exists(P("up/q/hidden.txt")));
    copy_ok(&(struct copy){ .from = { P("s1"), P("s2") },
                            .srcs = { "/opt/*.txt" },
                            .dest = "/glob/",
                            .layers = { P("up") } });
    assert_file(P("up/glob/a.txt"), "a-new");
    if (wh == 0) {
        assert_false(exists(P("up/glob/c.txt")));
        copy_fails(&(struct copy){ .from = { P("s1"), P("s2") },
                                   .srcs = { "/opt/c.txt" },
                                   .dest = "/",
                                   .layers = { P("up") } },
                   ERR_NOT_FOUND, "\"/opt/c.txt\": not found");
    }
}

/* ---- ADD of local archives -------------------------------------------- */

static void make_archive(const char *path, int filter)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter != ARCHIVE_FILTER_NONE)
        assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    static const struct {
        const char *name;
        const char *data;
        unsigned mode;
        int type;
    } ents[] = {
        { "pkg/", NULL, 0750, AE_IFDIR },
        { "pkg/bin/tool", "#!/bin/sh\n", 0755, AE_IFREG },
        { "pkg/README", "read me\n", 0644, AE_IFREG },
        { "pkg/link", "README", 0777, AE_IFLNK },
    };
    for (size_t i = 0; i < sizeof ents / sizeof *ents; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, ents[i].name);
        archive_entry_set_filetype(e, (unsigned)ents[i].type);
        archive_entry_set_perm(e, ents[i].mode);
        archive_entry_set_mtime(e, 1000000, 0);
        if (ents[i].type == AE_IFREG)
            archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
        if (ents[i].type == AE_IFLNK)
            archive_entry_set_symlink(e, ents[i].data);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (ents[i].type == AE_IFREG)
            assert_int_equal(archive_write_data(a, ents[i].data, strlen(ents[i].data)),
                             (la_ssize_t)strlen(ents[i].data));
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void test_add_archives(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int filter;
    } kinds[] = {
        { "plain.tar", ARCHIVE_FILTER_NONE },  { "gz.tar.gz", ARCHIVE_FILTER_GZIP },
        { "bz.tbz", ARCHIVE_FILTER_BZIP2 },    { "xz.txz", ARCHIVE_FILTER_XZ },
        { "zs.tar.zst", ARCHIVE_FILTER_ZSTD }, { "odd-name.bin", ARCHIVE_FILTER_GZIP },
    };
    mkdirs(P("ctx"), 0755);
    mkdirs(P("up"), 0755);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        make_archive(P("ctx/%s", kinds[i].name), kinds[i].filter);
        char dest[64];
        snprintf(dest, sizeof dest, "/x%zu", i);
        copy_ok(&(struct copy){ .add = true,
                                .from = { P("ctx") },
                                .context = true,
                                .srcs = { kinds[i].name },
                                .dest = dest,
                                .layers = { P("up") } });
        assert_file(P("up/x%zu/pkg/bin/tool", i), "#!/bin/sh\n");
        assert_int_equal(mode_of(P("up/x%zu/pkg/bin/tool", i)), 0755);
        assert_int_equal(mode_of(P("up/x%zu/pkg", i)), 0750);
        assert_file(P("up/x%zu/pkg/README", i), "read me\n");
        struct stat st;
        assert_int_equal(lstat(P("up/x%zu/pkg/link", i), &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        /* COPY never unpacks; --unpack=false neither. */
        copy_ok(&(struct copy){ .from = { P("ctx") },
                                .context = true,
                                .srcs = { kinds[i].name },
                                .dest = "/raw/",
                                .layers = { P("up") } });
        assert_true(exists(P("up/raw/%s", kinds[i].name)));
    }
    copy_ok(&(struct copy){ .add = true,
                            .unpack = 2,
                            .from = { P("ctx") },
                            .context = true,
                            .srcs = { "plain.tar" },
                            .dest = "/packed/",
                            .layers = { P("up") } });
    assert_true(exists(P("up/packed/plain.tar")));
    /* A compressed file that is not a tar is copied as it is. */
    FILE *f = fopen(P("ctx/notes.gz"), "w");
    assert_non_null(f);
    static const unsigned char gz_text[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00,
                                             0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00,
                                             0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    fwrite(gz_text, 1, sizeof gz_text, f);
    fclose(f);
    copy_ok(&(struct copy){ .add = true,
                            .from = { P("ctx") },
                            .context = true,
                            .srcs = { "notes.gz" },
                            .dest = "/n/",
                            .layers = { P("up") } });
    assert_true(exists(P("up/n/notes.gz")));
    /* An archive that escapes is refused by the safe extractor. */
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    assert_int_equal(archive_write_open_filename(a, P("ctx/evil.tar")), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "../../evil");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 1);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, "x", 1), 1);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    copy_fails(&(struct copy){ .add = true,
                               .from = { P("ctx") },
                               .context = true,
                               .srcs = { "evil.tar" },
                               .dest = "/ev/",
                               .layers = { P("up") } },
               ERR_INVALID, "ADD evil.tar: cannot extract the archive");
    assert_false(exists(P("evil")));
}

/* ---- times -------------------------------------------------------------- */

static int64_t mtime_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (int64_t)st.st_mtim.tv_sec;
}

static void test_times(void **state)
{
    (void)state;
    put(P("ctx/d/f.txt"), "f", 0644);
    sym(P("ctx/d/l"), "f.txt");
    mkdirs(P("ctx/d/sub"), 0755);
    struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, P("ctx/d/f.txt"), ts, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, P("ctx/d/l"), ts, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(utimensat(AT_FDCWD, P("ctx/d/sub"), ts, 0), 0);
    mkdirs(P("up"), 0755);
    /* Source times are kept... */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "d" },
                            .dest = "/keep",
                            .layers = { P("up") } });
    assert_int_equal(mtime_of(P("up/keep/f.txt")), 12345);
    assert_int_equal(mtime_of(P("up/keep/l")), 12345);
    assert_int_equal(mtime_of(P("up/keep/sub")), 12345);
    /* ... unless an epoch is given: then everything written or created. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "d" },
                            .dest = "/e/new/dir",
                            .epoch_set = true,
                            .epoch = 1000,
                            .layers = { P("up") } });
    assert_int_equal(mtime_of(P("up/e/new/dir/f.txt")), 1000);
    assert_int_equal(mtime_of(P("up/e/new/dir/l")), 1000);
    assert_int_equal(mtime_of(P("up/e/new/dir/sub")), 1000);
    assert_int_equal(mtime_of(P("up/e/new/dir")), 1000);
    assert_int_equal(mtime_of(P("up/e")), 1000);
    static const char body[] = "x";
    copy_ok(&(struct copy){ .heredoc = { BLD_SRC_HEREDOC, "h", body, 1 },
                            .dest = "/h",
                            .epoch_set = true,
                            .epoch = 7,
                            .layers = { P("up") } });
    assert_int_equal(mtime_of(P("up/h")), 7);
}

/* ---- the content digest ------------------------------------------------ */

static void digest_of(const struct copy *c, struct bld_digest *d)
{
    struct arena a;
    arena_init(&a);
    struct bld_copy_sel *sel;
    struct err err;
    struct copy k = *c;
    memset(k.layers, 0, sizeof k.layers);
    if (run(&k, &sel, &a, &err))
        fail_msg("select: %s", err.msg);
    if (bld_copy_digest(sel, d, &err))
        fail_msg("digest: %s", err.msg);
    arena_release(&a);
}

static void test_digest(void **state)
{
    (void)state;
    put(P("ctx/app/a.txt"), "a", 0644);
    put(P("ctx/app/b.txt"), "b", 0644);
    put(P("ctx/other.txt"), "o", 0644);
    /* P() hands out a ring of buffers: keep the context path. */
    static char ctx[1536];
    snprintf(ctx, sizeof ctx, "%s", P("ctx"));
    const struct copy base = { .from = { ctx }, .context = true, .srcs = { "app" } };
    struct bld_digest d0, d1;
    digest_of(&base, &d0);
    digest_of(&base, &d1);
    assert_true(bld_digest_eq(&d0, &d1)); /* deterministic */
    /* mtime only: same. */
    struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, P("ctx/app/a.txt"), ts, 0), 0);
    digest_of(&base, &d1);
    assert_true(bld_digest_eq(&d0, &d1));
    /* An unrelated file: same. */
    put(P("ctx/other.txt"), "changed", 0644);
    digest_of(&base, &d1);
    assert_true(bld_digest_eq(&d0, &d1));
    /* Content: different. */
    put(P("ctx/app/a.txt"), "A", 0644);
    digest_of(&base, &d1);
    assert_false(bld_digest_eq(&d0, &d1));
    put(P("ctx/app/a.txt"), "a", 0644);
    digest_of(&base, &d1);
    assert_true(bld_digest_eq(&d0, &d1));
    /* Mode: different; --chmod hides it again. */
    assert_int_equal(chmod(P("ctx/app/a.txt"), 0755), 0);
    digest_of(&base, &d1);
    assert_false(bld_digest_eq(&d0, &d1));
    struct copy ch = base;
    ch.chmod = "644";
    struct bld_digest c0, c1;
    digest_of(&ch, &c0);
    assert_int_equal(chmod(P("ctx/app/a.txt"), 0644), 0);
    digest_of(&ch, &c1);
    assert_true(bld_digest_eq(&c0, &c1));
    /* A new file in the selection, a rename, --chown: different. */
    put(P("ctx/app/c.txt"), "c", 0644);
    digest_of(&base, &d1);
    assert_false(bld_digest_eq(&d0, &d1));
    assert_int_equal(unlink(P("ctx/app/c.txt")), 0);
    assert_int_equal(rename(P("ctx/app/b.txt"), P("ctx/app/bb.txt")), 0);
    digest_of(&base, &d1);
    assert_false(bld_digest_eq(&d0, &d1));
    assert_int_equal(rename(P("ctx/app/bb.txt"), P("ctx/app/b.txt")), 0);
    struct copy own = base;
    own.chown = "1000";
    digest_of(&own, &d1);
    assert_false(bld_digest_eq(&d0, &d1));
    /* A symlink target. */
    sym(P("ctx/app/l"), "a.txt");
    digest_of(&base, &c0);
    assert_int_equal(unlink(P("ctx/app/l")), 0);
    sym(P("ctx/app/l"), "b.txt");
    digest_of(&base, &c1);
    assert_false(bld_digest_eq(&c0, &c1));
    assert_int_equal(unlink(P("ctx/app/l")), 0);
    digest_of(&base, &d1);
    assert_true(bld_digest_eq(&d0, &d1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chmod_table),
        cmocka_unit_test(test_chown_resolve),
        cmocka_unit_test_setup_teardown(test_file_destinations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_contents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_globs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hard_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exclude, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dockerignore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heredoc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layered_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layered_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_archives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
