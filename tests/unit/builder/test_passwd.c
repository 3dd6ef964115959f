/* USER resolution against passwd and group files written to a temp dir. */
#include "builder/passwd.h"
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
#include <unistd.h>

#include <cmocka.h>

static const char passwd_text[] = "root:x:0:0:root:/root:/bin/sh\n"
                                  "# a comment line\n"
                                  "\n"
                                  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                  "broken:x:notanumber:1::/broken:/bin/sh\n"
                                  "app:x:1000:1000:app:/home/app:/bin/sh\n"
                                  "twin:x:1000:1001::/home/twin:/bin/sh\n"
                                  "nohome:x:1500:1500\n"
                                  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false";
static const char group_text[] = "root:x:0:\n"
                                 "daemon:x:1:app\n"
                                 "app:x:1000:\n"
                                 "extra:x:2000:other, app ,more\n"
                                 "staff:x:50:\n"
                                 "bad:x:zz:app\n"
                                 "nogroup:x:65534:\n";

struct files {
    char dir[64];
    struct buf passwd, group;
};

static int setup(void **state)
{
    struct files *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/dw-passwd-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    char p[128], g[128];
    snprintf(p, sizeof p, "%s/passwd", f->dir);
    snprintf(g, sizeof g, "%s/group", f->dir);
    struct err e;
    if (file_write_atomic(p, passwd_text, strlen(passwd_text), 0644, &e) ||
        file_write_atomic(g, group_text, strlen(group_text), 0644, &e))
        return -1;
    buf_init(&f->passwd, 0);
    buf_init(&f->group, 0);
    if (file_read_all(p, 1 << 20, &f->passwd, &e) || file_read_all(g, 1 << 20, &f->group, &e))
        return -1;
    unlink(p);
    unlink(g);
    rmdir(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct files *f = *state;
    buf_release(&f->passwd);
    buf_release(&f->group);
    free(f);
    return 0;
}

static int resolve(void **state, const char *spec, struct bld_user *u, struct err *e)
{
    struct files *f = *state;
    return bld_user_resolve(spec, buf_str(&f->passwd), buf_str(&f->group), u, e);
}

static void test_names(void **state)
{
    struct bld_user u;
    struct err e;
    assert_int_equal(resolve(state, "app", &u, &e), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1000);
    assert_string_equal(u.home, "/home/app");
    /* Supplementary groups: every group listing app as a member, in file
     * order, members trimmed; the line with a bad gid is skipped. */
    assert_int_equal(u.n_groups, 2);
    assert_int_equal(u.groups[0], 1);
    assert_int_equal(u.groups[1], 2000);

    assert_int_equal(resolve(state, "root", &u, &e), 0);
    assert_int_equal(u.uid, 0);
    assert_int_equal(u.gid, 0);
    assert_int_equal(u.n_groups, 0);
    assert_string_equal(u.home, "/root");

    /* The last line has no final newline. */
    assert_int_equal(resolve(state, "nobody", &u, &e), 0);
    assert_int_equal(u.uid, 65534);
    assert_string_equal(u.home, "/nonexistent");

    /* A short entry without a home gets "/". */
    assert_int_equal(resolve(state, "nohome", &u, &e), 0);
    assert_int_equal(u.uid, 1500);
    assert_string_equal(u.home, "/");
}

static void test_numeric_ids(void **state)
{
    struct bld_user u;
    struct err e;
    /* A known uid takes the first entry's gid and home, and its groups. */
    assert_int_equal(resolve(state, "1000", &u, &e), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1000);
    assert_string_equal(u.home, "/home/app");
    assert_int_equal(u.n_groups, 2);

    /* An unknown uid passes through with gid 0 and home "/". */
    assert_int_equal(resolve(state, "4242", &u, &e), 0);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 0);
    assert_int_equal(u.n_groups, 0);
    assert_string_equal(u.home, "/");

    /* uid:gid is the fast path: no groups, home still looked up. */
    assert_int_equal(resolve(state, "1000:77", &u, &e), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 77);
    assert_int_equal(u.n_groups, 0);
    assert_string_equal(u.home, "/home/app");

    /* Empty spec: root. */
    assert_int_equal(resolve(state, "", &u, &e), 0);
    assert_int_equal(u.uid, 0);
    assert_int_equal(u.gid, 0);
    assert_string_equal(u.home, "/root");
    assert_int_equal(resolve(state, NULL, &u, &e), 0);
    assert_int_equal(u.uid, 0);
}

static void test_user_group_forms(void **state)
{
    struct bld_user u;
    struct err e;
    assert_int_equal(resolve(state, "app:staff", &u, &e), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 50);
    assert_int_equal(u.n_groups, 0); /* explicit group: no supplementary ones */

    assert_int_equal(resolve(state, "app:3000", &u, &e), 0);
    assert_int_equal(u.gid, 3000);

    assert_int_equal(resolve(state, "1000:extra", &u, &e), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 2000);

    assert_int_equal(resolve(state, "4242:staff", &u, &e), 0);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 50);

    /* An empty user part is root; an empty group part is no group. */
    assert_int_equal(resolve(state, ":staff", &u, &e), 0);
    assert_int_equal(u.uid, 0);
    assert_int_equal(u.gid, 50);
    assert_int_equal(resolve(state, "app:", &u, &e), 0);
    assert_int_equal(u.gid, 1000);
    assert_int_equal(u.n_groups, 2);
}

static void test_errors(void **state)
{
    struct bld_user u;
    struct err e;
    assert_int_equal(resolve(state, "ghost", &u, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "unable to find user ghost: no matching entries in passwd file");
    assert_int_equal(resolve(state, "app:ghosts", &u, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "unable to find group ghosts: no matching entries in group file");
    /* The entry with a non-numeric uid does not count. */
    assert_int_equal(resolve(state, "broken", &u, &e), ERR_NOT_FOUND);
    assert_int_equal(resolve(state, "2147483648", &u, &e), ERR_INVALID);
    assert_string_equal(e.msg, "uids and gids must be in range 0-2147483647");
    assert_int_equal(resolve(state, "1:99999999999", &u, &e), ERR_INVALID);
    /* Digits followed by letters are a name. */
    assert_int_equal(resolve(state, "99999999999x", &u, &e), ERR_NOT_FOUND);
}

static void test_missing_files(void **state)
{
    (void)state;
    struct bld_user u;
    struct err e;
    /* Missing files behave like empty ones. */
    assert_int_equal(bld_user_resolve("app", STR_NULL, STR_NULL, &u, &e), ERR_NOT_FOUND);
    assert_string_equal(e.msg, "unable to find user app: no matching entries in passwd file");
    assert_int_equal(bld_user_resolve("1000:1000", STR_NULL, STR_NULL, &u, &e), 0);
    assert_string_equal(u.home, "/");
    assert_int_equal(bld_user_resolve("0:wheel", STR_NULL, STR_NULL, &u, &e), ERR_NOT_FOUND);
    assert_int_equal(
        bld_user_resolve("root", STR_LIT("root:x:0:0::/root:/bin/sh"), STR_NULL, &u, &e), 0);
    assert_int_equal(u.n_groups, 0);
}

static void test_too_many_groups(void **state)
{
    (void)state;
    struct buf g = BUF_INIT;
    for (int i = 0; i < BLD_USER_MAX_GROUPS + 1; i++)
        assert_int_equal(buf_printf(&g, "g%d:x:%d:u\n", i, 100 + i), 0);
    struct bld_user u;
    struct err e;
    assert_int_equal(bld_user_resolve("u", STR_LIT("u:x:5:5::/h:/bin/sh\n"), buf_str(&g), &u, &e),
                     ERR_TOO_LARGE);
    buf_release(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numeric_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_group_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test(test_missing_files),
        cmocka_unit_test(test_too_many_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
