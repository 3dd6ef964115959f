/* bld_run's RUN --mount support (secret, cache, tmpfs, bind), the plain
 * rootfs mode and the rootless mode (user namespace). Needs root,
 * namespaces, overlayfs and busybox-static (exits 77 otherwise, saying
 * why); the rootless test drops to uid 65534 in a child and is skipped
 * when the kernel refuses it unprivileged namespaces. */
#include "builder/run.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "root_env.h"

static char base[256];
static char rootfs[300];
static char upper[300], work[300], cache_root[300];
static int step;
static const char *lower[1];

static void on_output(void *ctx, enum bld_stream s, const char *data, size_t len)
{
    struct buf *b = ctx;
    if (s == BLD_STREAM_STDOUT)
        assert_int_equal(buf_append(b, data, len), 0);
    else
        fprintf(stderr, "container stderr: %.*s", (int)len, data);
}

static void new_layer(void)
{
    step++;
    snprintf(upper, sizeof upper, "%s/upper%d", base, step);
    snprintf(work, sizeof work, "%s/work%d", base, step);
    assert_int_equal(mkdir(upper, 0755), 0);
    assert_int_equal(mkdir(work, 0700), 0);
}

/* Options for a shell command in a new layer over the busybox rootfs. */
static void sh_opts(struct bld_run_opts *o, struct buf *out, const char *cmd)
{
    lower[0] = rootfs;
    new_layer();
    bld_run_opts_init(o);
    o->lower = lower;
    o->n_lower = 1;
    o->upper = upper;
    o->work = work;
    o->tmp_dir = base;
    o->cache_root = cache_root;
    o->on_output = on_output;
    o->output_ctx = out;
    o->form = BLD_CMD_SHELL;
    o->text = cmd;
    buf_reset(out);
}

static bool in_upper(const char *rel)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", upper, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static bool upper_empty(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", upper);
    return system(cmd) == 0;
}

static void write_host(const char *path, const char *text)
{
    struct err e;
    assert_int_equal(file_write_atomic(path, text, strlen(text), 0600, &e), 0);
}

static void read_mountinfo(struct buf *b)
{
    assert_int_equal(root_env_mounts(base, b), 0);
}

/* --- secrets ---------------------------------------------------------------- */

static void test_secret(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    char src[400];
    snprintf(src, sizeof src, "%s/secret-src", base);
    write_host(src, "s3cret-value");

    struct bld_run_opts o;
    sh_opts(&o, &out,
            "cat /run/secrets/tok; echo; stat -c '%a %u' /run/secrets/tok; cat /etc/app.key; "
            "echo; echo \"$TOKEN\"; test -e /run/secrets/opt || echo no-opt");
    struct bld_mount m[4] = {
        { .type = BLD_MOUNT_SECRET, .id = "tok", .source = src },
        { .type = BLD_MOUNT_SECRET, .id = "key", .source = src, .target = "/etc/app.key" },
        { .type = BLD_MOUNT_SECRET, .id = "envtok", .source = src, .env = "TOKEN" },
        { .type = BLD_MOUNT_SECRET, .id = "opt", .source = "/nonexistent-dw-secret" },
    };
    o.mounts = m;
    o.n_mounts = 4;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out),
                        "s3cret-value\n400 0\ns3cret-value\ns3cret-value\nno-opt\n");
    /* Neither the secrets nor their mount points are in the layer. */
    assert_true(upper_empty());

    /* A secret for another user, with a mode. */
    sh_opts(&o, &out, "cat /run/secrets/tok; echo; stat -c '%a %u %g' /run/secrets/tok");
    struct bld_mount app = { .type = BLD_MOUNT_SECRET,
                             .id = "tok",
                             .source = src,
                             .has_mode = true,
                             .mode = 0440,
                             .uid = 1000,
                             .gid = 1000 };
    o.mounts = &app;
    o.n_mounts = 1;
    o.user = "app";
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "s3cret-value\n440 1000 1000\n");
    assert_true(upper_empty());

    /* Read-only inside. */
    sh_opts(&o, &out, "echo x > /run/secrets/tok");
    o.mounts = m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_not_equal(res.exit_code, 0);

    /* A required secret that is missing. */
    sh_opts(&o, &out, "true");
    struct bld_mount req = { .type = BLD_MOUNT_SECRET,
                             .id = "needed",
                             .source = "/nonexistent-dw-secret",
                             .required = true };
    o.mounts = &req;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "secret needed not found");
    buf_release(&out);
}

/* --- cache ------------------------------------------------------------------ */

static void test_cache(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    struct bld_run_opts o;
    struct bld_mount m = { .type = BLD_MOUNT_CACHE, .target = "/var/cache/app", .id = "c1" };
    for (int i = 1; i <= 2; i++) {
        sh_opts(&o, &out, "echo run >> /var/cache/app/log; wc -l < /var/cache/app/log");
        o.mounts = &m;
        o.n_mounts = 1;
        assert_int_equal(bld_run(&o, &res, &e), 0);
        assert_int_equal(res.exit_code, 0);
        char want[16];
        snprintf(want, sizeof want, "%d\n", i);
        /* The cache persists between runs... */
        assert_string_equal(buf_cstr(&out), want);
        /* ...and stays out of the layer. */
        assert_true(upper_empty());
    }

    /* private: while another user holds the cache, a fresh copy is used. */
    char lock[400];
    snprintf(lock, sizeof lock, "%s/c1.lock", cache_root);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    sh_opts(&o, &out, "echo run >> /var/cache/app/log; wc -l < /var/cache/app/log");
    m.sharing = BLD_SHARING_PRIVATE;
    o.mounts = &m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "1\n");

    /* locked: waits for the holder (here: until the timeout). */
    sh_opts(&o, &out, "true");
    m.sharing = BLD_SHARING_LOCKED;
    o.mounts = &m;
    o.n_mounts = 1;
    o.timeout_ms = 200;
    assert_true(bld_run(&o, &res, &e) < 0);
    assert_string_equal(e.msg, "timed out waiting for cache c1");
    close(fd);
    /* ...and goes ahead once it is free. */
    sh_opts(&o, &out, "wc -l < /var/cache/app/log");
    o.mounts = &m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "2\n");

    /* Without a cache root: a usage error. */
    sh_opts(&o, &out, "true");
    o.mounts = &m;
    o.n_mounts = 1;
    o.cache_root = NULL;
    assert_int_equal(bld_run(&o, &res, &e), ERR_USAGE);
    buf_release(&out);
}

/* --- tmpfs and bind --------------------------------------------------------- */

static void test_tmpfs(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    struct bld_run_opts o;
    sh_opts(&o, &out,
            "ls -A /scratch | wc -l; echo x > /scratch/f && cat /scratch/f; "
            "head -c 2000000 /dev/zero > /scratch/big 2>/dev/null || echo full");
    struct bld_mount m = { .type = BLD_MOUNT_TMPFS, .target = "scratch", .size = 1 << 20 };
    o.workdir = "/";
    o.mounts = &m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out), "0\nx\nfull\n");
    assert_true(upper_empty());
    buf_release(&out);
}

static void test_bind(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    char src[400], file[600], conf[400];
    snprintf(src, sizeof src, "%s/bind-src", base);
    assert_int_equal(mkdir(src, 0755), 0);
    snprintf(file, sizeof file, "%s/f", src);
    write_host(file, "hello");
    snprintf(conf, sizeof conf, "%s/conf.txt", base);
    write_host(conf, "conf");

    struct bld_run_opts o;
    sh_opts(&o, &out,
            "cat /src/f; echo; (touch /src/g 2>/dev/null && echo writable) || echo read-only; "
            "cat /etc/conf.txt; echo");
    struct bld_mount m[2] = {
        { .type = BLD_MOUNT_BIND, .target = "/src", .source = src },
        { .type = BLD_MOUNT_BIND, .target = "/etc/conf.txt", .source = conf },
    };
    o.mounts = m;
    o.n_mounts = 2;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "hello\nread-only\nconf\n");
    assert_true(upper_empty());

    /* rw: writable inside, the host source untouched afterwards. */
    sh_opts(&o, &out, "touch /src/g && echo hi > /src/f && cat /src/f");
    m[0].access = BLD_ACCESS_RW;
    o.mounts = m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "hi\n");
    char g[600];
    snprintf(g, sizeof g, "%s/g", src);
    assert_int_equal(access(g, F_OK), -1);
    struct buf content = BUF_INIT;
    assert_int_equal(file_read_all(file, 0, &content, &e), 0);
    assert_string_equal(buf_cstr(&content), "hello");
    buf_release(&content);
    assert_true(upper_empty());

    /* A missing source. */
    sh_opts(&o, &out, "true");
    struct bld_mount bad = { .type = BLD_MOUNT_BIND, .target = "/x", .source = "/nonexistent-dw" };
    o.mounts = &bad;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), ERR_IO);
    buf_release(&out);
}

static void test_no_mount_leaks(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    char src[400];
    snprintf(src, sizeof src, "%s/leak-secret", base);
    write_host(src, "x");
    struct buf before, after;
    read_mountinfo(&before);
    struct bld_run_opts o;
    sh_opts(&o, &out, "cat /proc/self/mountinfo | wc -l");
    struct bld_mount m[4] = {
        { .type = BLD_MOUNT_SECRET, .id = "s", .source = src },
        { .type = BLD_MOUNT_CACHE, .target = "/c" },
        { .type = BLD_MOUNT_TMPFS, .target = "/t" },
        { .type = BLD_MOUNT_BIND, .target = "/b", .source = base, .access = BLD_ACCESS_RW },
    };
    o.mounts = m;
    o.n_mounts = 4;
    o.net = BLD_NET_NONE;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    /* The container saw many mounts: root, proc, dev..., the four. */
    assert_true(strtol(buf_cstr(&out), NULL, 10) >= 14);
    read_mountinfo(&after);
    assert_string_equal(buf_cstr(&before), buf_cstr(&after));
    buf_release(&before);
    buf_release(&after);
    buf_release(&out);
}

/* --- plain rootfs ------------------------------------------------------------ */

static void test_plain_rootfs(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    char plain[400], cmd[1000];
    snprintf(plain, sizeof plain, "%s/plain", base);
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", rootfs, plain);
    assert_int_equal(system(cmd), 0);
    char src[400];
    snprintf(src, sizeof src, "%s/plain-secret", base);
    write_host(src, "p");

    struct bld_run_opts o;
    bld_run_opts_init(&o);
    o.rootfs = plain;
    o.tmp_dir = base;
    o.on_output = on_output;
    o.output_ctx = &out;
    o.text = "echo y > /tmp/y; cat /run/secrets/s; echo; rm /bin/wc; cat /etc/hosts | wc -l";
    struct bld_mount m = { .type = BLD_MOUNT_SECRET, .id = "s", .source = src };
    o.mounts = &m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out), "p\n2\n");
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/tmp/y", plain);
    assert_int_equal(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/bin/wc", plain);
    assert_int_equal(lstat(p, &st), -1); /* deleted in place, no whiteout */
    /* The mount points the run needed are gone again. */
    snprintf(p, sizeof p, "%s/etc/resolv.conf", plain);
    assert_int_equal(lstat(p, &st), -1);
    snprintf(p, sizeof p, "%s/etc/hosts", plain);
    assert_int_equal(lstat(p, &st), -1);
    snprintf(p, sizeof p, "%s/run", plain);
    assert_int_equal(lstat(p, &st), -1);
    snprintf(p, sizeof p, "%s/etc/passwd", plain);
    assert_int_equal(lstat(p, &st), 0);
    buf_release(&out);
}

/* A mount point through a symlink of the image lands at the link's target,
 * inside the root, and is removed from there. */
static void test_symlinked_mount_point(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    char lower2[400], p[600];
    snprintf(lower2, sizeof lower2, "%s/lower-links", base);
    assert_int_equal(mkdir(lower2, 0755), 0);
    snprintf(p, sizeof p, "%s/var", lower2);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/var/run", lower2);
    assert_int_equal(symlink("/../../../run", p), 0); /* absolute, climbing: clamped */
    const char *layers[2] = { rootfs, lower2 };
    struct bld_run_opts o;
    sh_opts(&o, &out, "ls /run; cat /var/run/x");
    o.lower = layers;
    o.n_lower = 2;
    char src[400];
    snprintf(src, sizeof src, "%s/link-secret", base);
    write_host(src, "via-link");
    struct bld_mount m = {
        .type = BLD_MOUNT_SECRET, .id = "x", .source = src, .target = "/var/run/x"
    };
    o.mounts = &m;
    o.n_mounts = 1;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_string_equal(buf_cstr(&out), "x\nvia-link");
    assert_true(upper_empty());
    assert_int_equal(access("/run/x", F_OK), -1);
    buf_release(&out);
}

/* FROM scratch: no lower layer; every mount point (/proc, /dev, /sys,
 * /etc/hosts, the bound busybox) is created for the run and removed again,
 * leaving only what the command wrote. */
static void test_scratch_image(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    struct bld_run_opts o;
    sh_opts(&o, &out, NULL);
    o.lower = NULL;
    o.n_lower = 0;
    char bb[400];
    snprintf(bb, sizeof bb, "%s/bin/busybox", rootfs);
    struct bld_mount m = { .type = BLD_MOUNT_BIND, .target = "/bin/busybox", .source = bb };
    o.mounts = &m;
    o.n_mounts = 1;
    const char *argv[] = { "/bin/busybox", "sh", "-c",
                           "/bin/busybox echo made > /out; /bin/busybox ls /" };
    o.form = BLD_CMD_EXEC;
    o.argv = argv;
    o.argc = 4;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out), "bin\ndev\netc\nout\nproc\nsys\n");
    assert_true(in_upper("out"));
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = out", upper);
    assert_int_equal(system(cmd), 0);
    buf_release(&out);
}

/* --- rootless ---------------------------------------------------------------- */

/* As root, a user namespace mapping 0 to 0 takes the rootless code path. */
static void test_forced_userns(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct bld_run_result res;
    struct err e;
    struct bld_run_opts o;
    sh_opts(&o, &out, "id -u; cat /proc/self/uid_map | tr -s ' '; echo f > /tmp/f");
    o.force_userns = true;
    assert_int_equal(bld_run(&o, &res, &e), 0);
    assert_int_equal(res.exit_code, 0);
    assert_string_equal(buf_cstr(&out), "0\n 0 0 1\n");
    assert_true(in_upper("tmp/f"));
    buf_release(&out);
}

/* Exit codes of the unprivileged child. */
enum { CHILD_OK = 0, CHILD_SKIP = 77, CHILD_FAIL = 1 };

static int rootless_child(void)
{
    char u[400], w[400];
    snprintf(u, sizeof u, "%s/rootless-upper", base);
    snprintf(w, sizeof w, "%s/rootless-work", base);
    if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
        return CHILD_FAIL;
    struct err e;
    if (bld_run_probe(base, true, false, &e) < 0) {
        fprintf(stderr, "rootless skipped: %s\n", e.msg);
        return CHILD_SKIP;
    }
    struct buf out = BUF_INIT;
    struct bld_run_opts o;
    bld_run_opts_init(&o);
    char own[400];
    snprintf(own, sizeof own, "%s/rootless-rootfs", base);
    lower[0] = own;
    o.lower = lower;
    o.n_lower = 1;
    o.upper = u;
    o.work = w;
    o.tmp_dir = base;
    o.on_output = on_output;
    o.output_ctx = &out;
    o.text = "id -u; echo hi > /home/f; echo $HOME";
    struct bld_run_result res;
    if (bld_run(&o, &res, &e) < 0) {
        fprintf(stderr, "rootless run failed: %s\n", e.msg);
        return CHILD_FAIL;
    }
    if (res.exit_code != 0 || strcmp(buf_cstr(&out), "0\n/root\n") != 0) {
        fprintf(stderr, "rootless run: exit %d, output '%s'\n", res.exit_code, buf_cstr(&out));
        return CHILD_FAIL;
    }
    /* Only uid 0 exists in a rootless container. */
    o.user = "app";
    if (bld_run(&o, &res, &e) != ERR_UNSUPPORTED || !strstr(e.msg, "rootless")) {
        fprintf(stderr, "rootless USER app: %s\n", e.msg);
        return CHILD_FAIL;
    }
    buf_release(&out);
    return CHILD_OK;
}

static void test_rootless(void **state)
{
    (void)state;
    char u[400], w[400];
    snprintf(u, sizeof u, "%s/rootless-upper", base);
    snprintf(w, sizeof w, "%s/rootless-work", base);
    assert_int_equal(mkdir(u, 0755), 0);
    assert_int_equal(mkdir(w, 0700), 0);
    assert_int_equal(chown(u, 65534, 65534), 0);
    assert_int_equal(chown(w, 65534, 65534), 0);
    /* A rootless build extracts layers as its own user: with only that uid
     * mapped (to 0), files of other owners could not be changed. */
    char cmd[1000];
    snprintf(cmd, sizeof cmd,
             "cp -a '%s' '%s/rootless-rootfs' && chown -R 65534:65534 '%s/rootless-rootfs'", rootfs,
             base, base);
    assert_int_equal(system(cmd), 0);
    /* The scratch base must be writable by the unprivileged user too. */
    assert_int_equal(chmod(base, 01777), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(rootless_child());
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    chmod(base, 0755);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) == CHILD_SKIP)
        skip();
    assert_int_equal(WEXITSTATUS(st), CHILD_OK);
    /* The file is in the upper dir, owned by the unprivileged user. */
    char f[600];
    snprintf(f, sizeof f, "%s/home/f", u);
    struct stat sb;
    assert_int_equal(stat(f, &sb), 0);
    assert_int_equal(sb.st_uid, 65534);
    /* ...and the mount points are gone: only home/f is in the layer. */
    snprintf(f, sizeof f, "%s/etc", u);
    assert_int_equal(lstat(f, &sb), -1);
}

/* --- setup ------------------------------------------------------------------- */

static int teardown_all(void **state)
{
    (void)state;
    return root_env_remove(base);
}

int main(void)
{
    int rc = root_env_setup("the RUN executor tests", "dw-mounts-test", base, sizeof base, rootfs,
                            sizeof rootfs);
    if (rc != 0)
        return rc;
    snprintf(cache_root, sizeof cache_root, "%s/cache", base);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_tmpfs),
        cmocka_unit_test(test_bind),
        cmocka_unit_test(test_no_mount_leaks),
        cmocka_unit_test(test_plain_rootfs),
        cmocka_unit_test(test_symlinked_mount_point),
        cmocka_unit_test(test_scratch_image),
        cmocka_unit_test(test_forced_userns),
        cmocka_unit_test(test_rootless),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
