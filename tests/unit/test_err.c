#include "common/err.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_set_and_format(void **state)
{
    (void)state;
    struct err e;
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(err_set(&e, ERR_SYNTAX, "unterminated heredoc '%s'", "EOF"), ERR_SYNTAX);
    char out[256];
    err_format(&e, out, sizeof out);
    assert_string_equal(out, "unterminated heredoc 'EOF'");
    err_at(&e, "Dockerfile", 3, 5);
    err_format(&e, out, sizeof out);
    assert_string_equal(out, "Dockerfile:3:5: unterminated heredoc 'EOF'");
    assert_string_equal(err_code_name(ERR_SYNTAX), "syntax error");
    /* NULL err is allowed for callers that do not care. */
    assert_int_equal(err_set(NULL, ERR_IO, "x"), ERR_IO);
}

static void test_sys_appends_strerror(void **state)
{
    (void)state;
    struct err e;
    errno = ENOENT;
    assert_int_equal(err_sys(&e, "missing.Dockerfile", "cannot open '%s'", "missing.Dockerfile"),
                     ERR_IO);
    assert_int_equal(e.sys_errno, ENOENT);
    assert_non_null(strstr(e.msg, strerror(ENOENT)));
    char out[256];
    err_format(&e, out, sizeof out);
    /* The message names the path already: it is not repeated. */
    assert_true(strncmp(out, "cannot open 'missing.Dockerfile': ", 34) == 0);
    err_sys(&e, "x.Dockerfile", "cannot read");
    err_format(&e, out, sizeof out);
    assert_true(strncmp(out, "x.Dockerfile: cannot read: ", 27) == 0);
}

static void test_truncation(void **state)
{
    (void)state;
    struct err e;
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&e, ERR_INVALID, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_format),
        cmocka_unit_test(test_sys_appends_strerror),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
