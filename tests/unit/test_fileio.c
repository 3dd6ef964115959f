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
#include <unistd.h>

#include <cmocka.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", "/tmp/dw-fileio-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_write_then_read_keeps_mode(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/Dockerfile", dir);
    struct err e;
    assert_int_equal(file_write_atomic(path, "FROM a\n", 7, 0640, &e), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(file_write_atomic(path, "FROM b", 6, 0600, &e), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755); /* the existing mode wins */
    struct buf b = BUF_INIT;
    assert_int_equal(file_read_all(path, 0, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "FROM b");
    buf_release(&b);
}

static void test_read_errors(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/nope", dir);
    struct err e;
    struct buf b = BUF_INIT;
    assert_int_equal(file_read_all(path, 0, &b, &e), ERR_IO);
    assert_string_equal(e.path, path);
    assert_int_equal(file_read_all(dir, 0, &b, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "is a directory"));
    snprintf(path, sizeof path, "%s/big", dir);
    assert_int_equal(file_write_atomic(path, "0123456789", 10, 0644, &e), 0);
    assert_int_equal(file_read_all(path, 5, &b, &e), ERR_TOO_LARGE);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

/* file_read_all appends, stops exactly at the limit, keeps what the
 * buffer had on failure, and reads files larger than one read and files
 * whose stat size is no size (procfs) to their end. */
static void test_read_limits_and_append(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/ten", dir);
    struct err e;
    assert_int_equal(file_write_atomic(path, "0123456789", 10, 0644, &e), 0);
    struct buf b = BUF_INIT;
    assert_int_equal(buf_append(&b, "xy", 2), 0);
    assert_int_equal(file_read_all(path, 10, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "xy0123456789");
    assert_int_equal(file_read_all(path, 9, &b, &e), ERR_TOO_LARGE);
    assert_string_equal(buf_cstr(&b), "xy0123456789");
    buf_release(&b);

    size_t n = 200000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    snprintf(path, sizeof path, "%s/big", dir);
    assert_int_equal(file_write_atomic(path, big, n, 0644, &e), 0);
    assert_int_equal(file_read_all(path, 0, &b, &e), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, big, n);
    buf_truncate(&b, 0);
    assert_int_equal(file_read_all(path, n - 1, &b, &e), ERR_TOO_LARGE);
    assert_int_equal(b.len, 0);
    free(big);

    if (access("/proc/self/status", R_OK) == 0) {
        assert_int_equal(file_read_all("/proc/self/status", 0, &b, &e), 0);
        assert_non_null(strstr(buf_cstr(&b), "\nPid:"));
    }
    buf_release(&b);
}

static void test_failed_write_leaves_original(void **state)
{
    (void)state;
    /* A directory that does not exist: the temp file cannot be created,
     * nothing is written, and the error names the path. */
    char path[128];
    snprintf(path, sizeof path, "%s/missing-dir/Dockerfile", dir);
    struct err e;
    assert_int_equal(file_write_atomic(path, "x", 1, 0644, &e), ERR_IO);
    assert_string_equal(e.path, path);
    /* No temp files are left beside an existing file after success. */
    snprintf(path, sizeof path, "%s/kept", dir);
    assert_int_equal(file_write_atomic(path, "one", 3, 0644, &e), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s' | grep dwtmp)\"", dir);
    assert_int_equal(system(cmd), 0);
}

/* file_dir_at keeps one descriptor per folder while names stay in it,
 * opens the next folder's when they leave it, and hands names without a
 * folder part (or whose folder does not open) to the working folder;
 * file_read_all_at reads through it and names the whole path in errors. */
static void test_read_through_folder(void **state)
{
    (void)state;
    char sub[128], a[160], b2[160], other[160], missing[160];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(a, sizeof a, "%s/a", sub);
    snprintf(b2, sizeof b2, "%s/b", sub);
    snprintf(other, sizeof other, "%s/top", dir);
    snprintf(missing, sizeof missing, "%s/nowhere/x", dir);
    struct err e;
    assert_int_equal(file_write_atomic(a, "A", 1, 0644, &e), 0);
    assert_int_equal(file_write_atomic(b2, "B", 1, 0644, &e), 0);
    assert_int_equal(file_write_atomic(other, "T", 1, 0644, &e), 0);

    struct file_dir d = FILE_DIR_INIT;
    struct buf b = BUF_INIT;
    const char *name;
    int fd = file_dir_at(&d, a, &name);
    assert_true(fd >= 0);
    assert_string_equal(name, "a");
    assert_int_equal(file_read_all_at(fd, name, a, 0, &b, &e), 0);
    assert_int_equal(file_dir_at(&d, b2, &name), fd); /* same folder, same descriptor */
    assert_string_equal(name, "b");
    assert_int_equal(file_read_all_at(fd, name, b2, 0, &b, &e), 0);
    int fd2 = file_dir_at(&d, other, &name);
    assert_true(fd2 >= 0);
    assert_string_equal(name, "top");
    assert_int_equal(file_read_all_at(fd2, name, other, 0, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "ABT");

    const char *plain[] = { "Dockerfile", "/Dockerfile", "sub/" };
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        assert_int_equal(file_dir_at(&d, plain[i], &name), AT_FDCWD);
        assert_ptr_equal(name, plain[i]);
    }
    assert_int_equal(file_dir_at(&d, missing, &name), AT_FDCWD);
    assert_ptr_equal(name, missing);
    assert_int_equal(file_read_all_at(AT_FDCWD, name, missing, 0, &b, &e), ERR_IO);
    assert_string_equal(e.path, missing);

    fd = file_dir_at(&d, a, &name);
    assert_int_equal(file_read_all_at(fd, "gone", a, 0, &b, &e), ERR_IO);
    assert_string_equal(e.path, a); /* messages name the path, not the name */
    file_dir_release(&d);
    assert_int_equal(d.fd, -1);
    assert_null(d.dir);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_then_read_keeps_mode),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_read_limits_and_append),
        cmocka_unit_test(test_failed_write_leaves_original),
        cmocka_unit_test(test_read_through_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
