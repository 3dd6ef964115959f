/* ADD <url> against a tiny HTTP server this test runs on 127.0.0.1 (a
 * forked child on a port the kernel picks): download name, mode 0600,
 * Last-Modified as mtime, redirects, status errors, --checksum (match and
 * mismatch), --chmod, --unpack, unreachable servers. Exits 77 when no
 * local socket can be made. */
#include "builder/copy.h"
#include "builder/extract.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

static char dir[512];
static int port;
static pid_t server;
static char archive_bytes[4096];
static size_t archive_len;

/* Wed, 21 Oct 2015 07:28:00 GMT */
#define LAST_MODIFIED 1445412480

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

static void respond(int fd, const char *status, const char *extra, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
                     len, extra);
    write_all(fd, head, (size_t)n);
    write_all(fd, body, len);
}

static void serve_one(int fd)
{
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t r = read(fd, req + got, sizeof req - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[got] = '\0';
    char path[1024] = "";
    sscanf(req, "GET %1023s", path);
    static const char lm[] = "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n";
    if (strcmp(path, "/file.txt") == 0 || strcmp(path, "/") == 0 ||
        strcmp(path, "/a%20b.txt") == 0 || strcmp(path, "/dir/") == 0 ||
        strcmp(path, "/file.txt?x=1") == 0)
        respond(fd, "200 OK", lm, "hello\n", 6);
    else if (strcmp(path, "/nolm") == 0)
        respond(fd, "200 OK", "", "plain\n", 6);
    else if (strcmp(path, "/redirect") == 0)
        respond(fd, "302 Found", "Location: /file.txt\r\n", "", 0);
    else if (strcmp(path, "/loop") == 0)
        respond(fd, "302 Found", "Location: /loop\r\n", "", 0);
    else if (strcmp(path, "/archive.tgz") == 0)
        respond(fd, "200 OK", lm, archive_bytes, archive_len);
    else if (strcmp(path, "/error") == 0)
        respond(fd, "500 Internal Server Error", "", "oops", 4);
    else
        respond(fd, "404 Not Found", "", "no", 2);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void make_archive(void)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter(a, ARCHIVE_FILTER_GZIP);
    size_t used = 0;
    archive_write_open_memory(a, archive_bytes, sizeof archive_bytes, &used);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "inside.txt");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 3);
    archive_write_header(a, e);
    archive_write_data(a, "in\n", 3);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    archive_len = used;
}

static int start_server(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&addr, &len) != 0) {
        close(s);
        return -1;
    }
    port = ntohs(addr.sin_port);
    make_archive();
    server = fork();
    if (server < 0) {
        close(s);
        return -1;
    }
    if (server == 0) {
        for (;;) {
            int c = accept(s, NULL, NULL);
            if (c >= 0)
                serve_one(c);
        }
    }
    close(s);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-copyurl-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char up[600];
    snprintf(up, sizeof up, "%s/up", dir);
    return mkdir(up, 0755);
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

static const char *url(const char *path)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "http://127.0.0.1:%d%s", port, path);
    return b;
}

struct add {
    const char *src;
    const char *dest;
    const char *checksum, *chmod;
    int unpack;
};

static int run(const struct add *c, struct bld_digest *digest, struct err *err)
{
    struct bld_src src = { BLD_SRC_PATH, c->src, NULL, 0 };
    struct bld_copy_opts o;
    memset(&o, 0, sizeof o);
    o.add = true;
    o.srcs = &src;
    o.n_srcs = 1;
    o.checksum = c->checksum;
    o.chmod = c->chmod;
    o.unpack = c->unpack;
    o.epoch = -1;
    o.tmp_dir = dir;
    o.fetch_timeout_s = 20;
    struct arena a;
    arena_init(&a);
    struct bld_copy_sel *sel;
    int rc = bld_copy_select(&o, &a, &sel, err);
    if (!rc && digest)
        rc = bld_copy_digest(sel, digest, err);
    if (!rc) {
        const char *layers[1] = { P("up") };
        struct bld_copy_dest d;
        memset(&d, 0, sizeof d);
        d.dest = c->dest;
        d.tree.layers = layers;
        d.tree.n_layers = 1;
        rc = bld_copy_apply(sel, &d, NULL, err);
    }
    arena_release(&a);
    return rc;
}

static void add_ok(const struct add *c)
{
    struct err err;
    err_clear(&err);
    if (run(c, NULL, &err))
        fail_msg("ADD %s failed: %s", c->src, err.msg);
}

static void add_fails(const struct add *c, int code, const char *msg)
{
    struct err err;
    err_clear(&err);
    int rc = run(c, NULL, &err);
    if (!rc)
        fail_msg("ADD %s succeeded, expected: %s", c->src, msg);
    assert_int_equal(rc, code);
    if (!strstr(err.msg, msg))
        fail_msg("message '%s' lacks '%s'", err.msg, msg);
}

static const char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_download(void **state)
{
    (void)state;
    add_ok(&(struct add){ url("/file.txt"), "/dl/", NULL, NULL, -1 });
    assert_string_equal(slurp(P("up/dl/file.txt")), "hello\n");
    struct stat st;
    assert_int_equal(stat(P("up/dl/file.txt"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600); /* BuildKit's default */
    assert_int_equal(st.st_mtime, LAST_MODIFIED);
    if (geteuid() == 0) {
        assert_int_equal(st.st_uid, 0);
        assert_int_equal(st.st_gid, 0);
    }
    /* A destination without a slash names the file; the query string is
     * not part of the name. */
    add_ok(&(struct add){ url("/file.txt?x=1"), "/renamed", NULL, NULL, -1 });
    assert_string_equal(slurp(P("up/renamed")), "hello\n");
    add_ok(&(struct add){ url("/file.txt?x=1"), "/q/", NULL, NULL, -1 });
    assert_string_equal(slurp(P("up/q/file.txt")), "hello\n");
    /* Names: unescaped path segment, "__unnamed__" for the root. */
    add_ok(&(struct add){ url("/a%20b.txt"), "/n/", NULL, NULL, -1 });
    assert_non_null(slurp(P("up/n/a b.txt")));
    add_ok(&(struct add){ url("/"), "/n/", NULL, NULL, -1 });
    assert_non_null(slurp(P("up/n/__unnamed__")));
    add_ok(&(struct add){ url("/dir/"), "/n/", NULL, NULL, -1 });
    assert_non_null(slurp(P("up/n/dir")));
    /* Without Last-Modified the time is the epoch. */
    add_ok(&(struct add){ url("/nolm"), "/t/", NULL, NULL, -1 });
    assert_int_equal(stat(P("up/t/nolm"), &st), 0);
    assert_int_equal(st.st_mtime, 0);
    /* --chmod applies. */
    add_ok(&(struct add){ url("/file.txt"), "/c/", NULL, "755", -1 });
    assert_int_equal(stat(P("up/c/file.txt"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
}

static void test_redirects_and_status(void **state)
{
    (void)state;
    add_ok(&(struct add){ url("/redirect"), "/r.txt", NULL, NULL, -1 });
    assert_string_equal(slurp(P("up/r.txt")), "hello\n");
    add_fails(&(struct add){ url("/missing"), "/m", NULL, NULL, -1 }, ERR_INVALID,
              "invalid response status 404");
    add_fails(&(struct add){ url("/error"), "/m", NULL, NULL, -1 }, ERR_INVALID,
              "invalid response status 500");
    add_fails(&(struct add){ url("/loop"), "/m", NULL, NULL, -1 }, ERR_IO, "redirect");
    /* Nothing listens on port 1. */
    add_fails(&(struct add){ "http://127.0.0.1:1/x", "/m", NULL, NULL, -1 }, ERR_IO,
              "http://127.0.0.1:1/x");
    struct stat st;
    assert_int_not_equal(stat(P("up/m"), &st), 0);
}

static void test_checksum(void **state)
{
    (void)state;
    /* sha256("hello\n") */
    const char *good = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    struct bld_digest with, without;
    struct err err;
    assert_int_equal(run(&(struct add){ url("/file.txt"), "/k/", good, NULL, -1 }, &with, &err), 0);
    assert_string_equal(slurp(P("up/k/file.txt")), "hello\n");
    assert_int_equal(run(&(struct add){ url("/file.txt"), "/k/", NULL, NULL, -1 }, &without, &err),
                     0);
    assert_true(bld_digest_eq(&with, &without)); /* the key counts the content either way */
    const char *bad = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    add_fails(&(struct add){ url("/file.txt"), "/bad/", bad, NULL, -1 }, ERR_INVALID,
              "digest mismatch for");
    add_fails(&(struct add){ url("/file.txt"), "/bad/", bad, NULL, -1 }, ERR_INVALID,
              "got sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03, "
              "expected sha256:0000000000000000000000000000000000000000000000000000000000000000");
    struct stat st;
    assert_int_not_equal(stat(P("up/bad"), &st), 0);
    add_fails(&(struct add){ url("/file.txt"), "/bad/", "md5:abc", NULL, -1 }, ERR_INVALID, "");
}

static void test_unpack(void **state)
{
    (void)state;
    /* Remote archives stay packed unless --unpack. */
    add_ok(&(struct add){ url("/archive.tgz"), "/a/", NULL, NULL, -1 });
    assert_non_null(slurp(P("up/a/archive.tgz")));
    add_ok(&(struct add){ url("/archive.tgz"), "/u", NULL, NULL, 1 });
    assert_string_equal(slurp(P("up/u/inside.txt")), "in\n");
}

int main(void)
{
    /* The requests go to 127.0.0.1 directly, whatever proxies the
     * environment names. */
    static const char *const proxies[] = { "http_proxy",  "HTTP_PROXY", "https_proxy",
                                           "HTTPS_PROXY", "all_proxy",  "ALL_PROXY" };
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
        unsetenv(proxies[i]);
    if (start_server() != 0) {
        fprintf(stderr, "test_copy_url: skipped, cannot listen on 127.0.0.1: %s\n",
                strerror(errno));
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_download, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirects_and_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpack, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    return rc;
}
