/* COPY/ADD ownership, which needs root: context files become 0:0, files
 * from another tree keep their owners, --chown by name (from the
 * destination image's /etc/passwd and /etc/group) and by number, created
 * directories, archives, device nodes, set-id bits after chown, and the
 * refusal of owners a non-root process cannot set. Exits 77 when not
 * root. */
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
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-copyroot-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    return chmod(dir, 0755);
}

static int teardown(void **state)
{
    (void)state;
    struct err e;
    return bld_remove_tree(dir, &e) == 0 ? 0 : -1;
}

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

static void mkdirs(const char *path)
{
    char tmp[1536];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

static void put(const char *path, const char *content, mode_t mode, uid_t uid, gid_t gid)
{
    char parent[1536];
    snprintf(parent, sizeof parent, "%s", path);
    *strrchr(parent, '/') = '\0';
    mkdirs(parent);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    assert_int_equal(chown(path, uid, gid), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void assert_owner(const char *path, uid_t uid, gid_t gid)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        fail_msg("missing %s", path);
    if (st.st_uid != uid || st.st_gid != gid)
        fail_msg("%s: owner %u:%u, want %u:%u", path, (unsigned)st.st_uid, (unsigned)st.st_gid,
                 (unsigned)uid, (unsigned)gid);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (unsigned)st.st_mode & 07777;
}

struct copy {
    bool add;
    const char *from[3];
    bool context;
    const char *srcs[4];
    const char *dest;
    const char *layers[3];
    const char *users[3]; /* where --chown names are looked up, when not the layers */
    const char *chown, *chmod;
};

static int run(const struct copy *c, struct err *err)
{
    struct bld_src srcs[4];
    size_t n = 0;
    for (; n < 4 && c->srcs[n]; n++) {
        srcs[n].kind = BLD_SRC_PATH;
        srcs[n].path = c->srcs[n];
        srcs[n].data = NULL;
        srcs[n].len = 0;
    }
    size_t nf = 0, nl = 0;
    while (nf < 3 && c->from[nf])
        nf++;
    while (nl < 3 && c->layers[nl])
        nl++;
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.add = c->add;
    o.srcs = srcs;
    o.n_srcs = n;
    o.from.layers = c->from;
    o.from.n_layers = nf;
    o.from_context = c->context;
    o.chown = c->chown;
    o.chmod = c->chmod;
    o.unpack = -1;
    o.epoch = -1;
    o.tmp_dir = dir;
    struct arena a;
    arena_init(&a);
    struct bld_copy_sel *sel;
    int rc = bld_copy_select(&o, &a, &sel, err);
    if (!rc) {
        struct bld_copy_dest d;
        memset(&d, 0, sizeof d);
        d.dest = c->dest;
        d.tree.layers = c->layers;
        d.tree.n_layers = nl;
        size_t nu = 0;
        while (nu < 3 && c->users[nu])
            nu++;
        struct bld_tree users = { c->users, nu };
        if (nu)
            d.users = &users;
        rc = bld_copy_apply(sel, &d, NULL, err);
    }
    arena_release(&a);
    return rc;
}

static void copy_ok(const struct copy *c)
{
    struct err err;
    err_clear(&err);
    if (run(c, &err))
        fail_msg("copy failed: %s", err.msg);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "app:x:1000:1001:app:/home/app:/bin/sh\n";
static const char group[] = "root:x:0:\nstaff:x:50:app\napp:x:1001:\n";

static void write_users(const char *root)
{
    char p[1536];
    snprintf(p, sizeof p, "%s/etc/passwd", root);
    put(p, passwd, 0644, 0, 0);
    snprintf(p, sizeof p, "%s/etc/group", root);
    put(p, group, 0644, 0, 0);
}

static void test_context_owner_reset(void **state)
{
    (void)state;
    put(P("ctx/f.txt"), "f", 0644, 4321, 4321);
    put(P("ctx/d/g.txt"), "g", 0640, 4321, 99);
    assert_int_equal(chown(P("ctx/d"), 4321, 4321), 0);
    mkdirs(P("up"));
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "f.txt", "d" },
                            .dest = "/app/",
                            .layers = { P("up") } });
    assert_owner(P("up/app/f.txt"), 0, 0);
    assert_owner(P("up/app/g.txt"), 0, 0);
    assert_owner(P("up/app"), 0, 0);
}

static void test_tree_keeps_owner(void **state)
{
    (void)state;
    put(P("stage/out/bin"), "b", 04755, 1000, 1001);
    put(P("stage/out/data"), "d", 0600, 33, 33);
    assert_int_equal(chown(P("stage/out"), 1000, 1001), 0);
    assert_int_equal(chmod(P("stage/out/bin"), 04755), 0);
    assert_int_equal(mknod(P("stage/out/null"), S_IFCHR | 0666, makedev(1, 3)), 0);
    assert_int_equal(chmod(P("stage/out/null"), 0666), 0);
    mkdirs(P("up"));
    copy_ok(&(struct copy){
        .from = { P("stage") }, .srcs = { "/out" }, .dest = "/o", .layers = { P("up") } });
    assert_owner(P("up/o/bin"), 1000, 1001);
    assert_int_equal(mode_of(P("up/o/bin")), 04755); /* set-id survives the chown */
    assert_owner(P("up/o/data"), 33, 33);
    struct stat st;
    assert_int_equal(lstat(P("up/o/null"), &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(major(st.st_rdev), 1);
    assert_int_equal(minor(st.st_rdev), 3);
    assert_int_equal(st.st_mode & 07777, 0666);
}

static void test_chown(void **state)
{
    (void)state;
    put(P("ctx/f.txt"), "f", 0644, 0, 0);
    put(P("ctx/tree/x/y.txt"), "y", 0644, 0, 0);
    mkdirs(P("base"));
    write_users(P("base"));
    mkdirs(P("up"));
    /* By name, from the destination's lower layer. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "f.txt" },
                            .dest = "/home/app/new/",
                            .chown = "app",
                            .layers = { P("up"), P("base") } });
    assert_owner(P("up/home/app/new/f.txt"), 1000, 1001);
    /* Created parents get the --chown owner too (fsutil's MkdirAll). */
    assert_owner(P("up/home/app/new"), 1000, 1001);
    assert_owner(P("up/home"), 1000, 1001);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "tree" },
                            .dest = "/t",
                            .chown = "app:staff",
                            .layers = { P("up"), P("base") } });
    assert_owner(P("up/t/x/y.txt"), 1000, 50);
    assert_owner(P("up/t/x"), 1000, 50);
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "f.txt" },
                            .dest = "/n.txt",
                            .chown = "1234",
                            .layers = { P("up"), P("base") } });
    assert_owner(P("up/n.txt"), 1234, 1234);
    /* --chown with --chmod 4755: chmod comes after chown. */
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "f.txt" },
                            .dest = "/s.bin",
                            .chown = "1234:5",
                            .chmod = "4755",
                            .layers = { P("up"), P("base") } });
    assert_owner(P("up/s.bin"), 1234, 5);
    assert_int_equal(mode_of(P("up/s.bin")), 04755);
    /* An unknown name is an error; an image without passwd knows no name. */
    struct err err;
    assert_int_equal(run(&(struct copy){ .from = { P("ctx") },
                                         .context = true,
                                         .srcs = { "f.txt" },
                                         .dest = "/u.txt",
                                         .chown = "nobody",
                                         .layers = { P("up"), P("base") } },
                         &err),
                     ERR_NOT_FOUND);
    assert_string_equal(err.msg, "unable to find user nobody: no matching entries in passwd file");
    assert_int_equal(run(&(struct copy){ .from = { P("ctx") },
                                         .context = true,
                                         .srcs = { "f.txt" },
                                         .dest = "/u.txt",
                                         .chown = "app",
                                         .layers = { P("up") } },
                         &err),
                     ERR_NOT_FOUND);
    /* COPY --link: a fresh layer alone, names from the stage's image. */
    mkdirs(P("link"));
    copy_ok(&(struct copy){ .from = { P("ctx") },
                            .context = true,
                            .srcs = { "f.txt" },
                            .dest = "/home/app/",
                            .chown = "app",
                            .layers = { P("link") },
                            .users = { P("base") } });
    assert_owner(P("link/home/app/f.txt"), 1000, 1001);
    assert_int_equal(mode_of(P("link/home")), 0755);
}

static void test_archive_owners(void **state)
{
    (void)state;
    mkdirs(P("ctx"));
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    assert_int_equal(archive_write_add_filter(a, ARCHIVE_FILTER_GZIP), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, P("ctx/a.tgz")), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "srv/file");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0640);
    archive_entry_set_uid(e, 70);
    archive_entry_set_gid(e, 71);
    archive_entry_set_size(e, 2);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, "ok", 2), 2);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    mkdirs(P("up"));
    copy_ok(&(struct copy){ .add = true,
                            .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.tgz" },
                            .dest = "/x",
                            .layers = { P("up") } });
    assert_owner(P("up/x/srv/file"), 70, 71);
    copy_ok(&(struct copy){ .add = true,
                            .from = { P("ctx") },
                            .context = true,
                            .srcs = { "a.tgz" },
                            .dest = "/y",
                            .chown = "5:6",
                            .layers = { P("up") } });
    assert_owner(P("up/y/srv/file"), 5, 6);
    assert_int_equal(mode_of(P("up/y/srv/file")), 0640);
}

/* A process that is not root cannot write other owners: the copy fails
 * with ERR_UNSUPPORTED instead of writing wrong ones. */
static void test_non_root_refuses_owners(void **state)
{
    (void)state;
    put(P("stage/f"), "f", 0644, 1000, 1000);
    mkdirs(P("up"));
    assert_int_equal(chown(P("up"), 65534, 65534), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(2);
        struct err err;
        int rc = run(
            &(struct copy){
                .from = { P("stage") }, .srcs = { "f" }, .dest = "/f", .layers = { P("up") } },
            &err);
        if (rc != ERR_UNSUPPORTED || !strstr(err.msg, "setting owners needs root"))
            _exit(3);
        /* Its own ids and 0 are fine (0 stands for the caller rootless). */
        rc = run(&(struct copy){ .from = { P("stage") },
                                 .srcs = { "f" },
                                 .dest = "/g",
                                 .chown = "0:0",
                                 .layers = { P("up") } },
                 &err);
        _exit(rc == 0 ? 0 : 4);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_copy_root: skipped, needs root\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_context_owner_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_keeps_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_owners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_root_refuses_owners, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
