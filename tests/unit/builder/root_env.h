/* The scratch directory and busybox root filesystem that the root-only
 * builder tests (test_*_root.c) share: the checks that skip them (not
 * root, no namespaces or overlayfs, no busybox-static), the cleanup, and
 * a build whose progress output is kept for the assertions. */
#ifndef DW_TESTS_UNIT_BUILDER_ROOT_ENV_H
#define DW_TESTS_UNIT_BUILDER_ROOT_ENV_H

#include "builder/build.h"
#include "builder/report.h"
#include "builder/run.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Removes dir and everything below it; 0 on success. */
static inline int root_env_remove(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Makes base (a fresh "<$TMPDIR>/<prefix>-XXXXXX", mode 0755) and the
 * busybox root filesystem in rootfs ("<base>/rootfs"). Returns 0, or what
 * main should return: 77 to skip (with the reason on stderr; who names the
 * tests in it), 1 on a failure. Nothing is left behind unless it returns 0. */
static inline int root_env_setup(const char *who, const char *prefix, char *base, size_t base_size,
                                 char *rootfs, size_t rootfs_size)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: %s need root\n", who);
        return 77;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(base, base_size, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    chmod(base, 0755);
    struct err e;
    if (bld_run_probe(base, true, false, &e) < 0) {
        fprintf(stderr, "skipped: %s\n", e.msg);
        root_env_remove(base);
        return 77;
    }
    snprintf(rootfs, rootfs_size, "%s/rootfs", base);
    /* The script sits in the source tree, found from this file's path as
     * the compiler saw it. */
    const char *src = __FILE__;
    const char *cut = strstr(src, "unit/builder/");
    if (!cut) {
        fprintf(stderr, "skipped: cannot locate tests/builder from %s\n", src);
        root_env_remove(base);
        return 77;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sh '%.*sbuilder/make_busybox_rootfs.sh' '%s'", (int)(cut - src), src,
             rootfs);
    int st = system(cmd);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    if (rc != 0) {
        root_env_remove(base);
        if (rc == 77)
            fprintf(stderr, "skipped: busybox-static is not installed: apt-get install "
                            "busybox-static\n");
    }
    return rc;
}

/* The host's mount table lines that name a path below base, into *b
 * (initialised here): other processes (parallel tests, builds) mount and
 * unmount elsewhere meanwhile. Returns 0, or -1 when it cannot be read. */
static inline int root_env_mounts(const char *base, struct buf *b)
{
    struct err e;
    struct buf all;
    buf_init(&all, 0);
    buf_init(b, 0);
    int rc = file_read_all("/proc/self/mountinfo", 0, &all, &e) ? -1 : 0;
    const char *p = buf_cstr(&all);
    while (!rc && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        if (strstr(line, base) && buf_append(b, p, n))
            rc = -1;
        p += n;
    }
    buf_release(&all);
    return rc;
}

/* A build's outcome and its progress output (RUN output included). */
struct root_build {
    int rc;
    struct err e;
    struct bld_build_result res;
    struct bld_report rep;
    struct buf out;
};

/* Builds with o into r (o's progress stream is set here; what it printed
 * lands in r->out) and prints a failed build's error. Returns 0, or -1
 * when the progress output could not be captured. */
static inline int root_env_build(struct bld_store *s, struct bld_build_opts *o,
                                 struct root_build *r)
{
    FILE *fp = tmpfile();
    if (!fp)
        return -1;
    o->progress = fp;
    bld_report_init(&r->rep);
    buf_init(&r->out, 0);
    r->rc = bld_build(s, o, &r->rep, &r->res, &r->e);
    rewind(fp);
    struct err e;
    int rc = file_read_stream(fp, "progress", 0, &r->out, &e) ? -1 : 0;
    fclose(fp);
    if (r->rc)
        fprintf(stderr, "build: %s:%u:%u: %s\n", r->e.path, r->e.line, r->e.col, r->e.msg);
    return rc;
}

#endif
