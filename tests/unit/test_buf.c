#include "common/buf.h"
#include "common/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_append_and_terminate(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_append_cstr(&b, "FROM "), 0);
    assert_int_equal(buf_append_str(&b, STR_LIT("alpine")), 0);
    assert_int_equal(buf_append_char(&b, ':'), 0);
    assert_int_equal(buf_printf(&b, "%d.%d", 3, 20), 0);
    assert_string_equal(buf_cstr(&b), "FROM alpine:3.20");
    assert_int_equal(b.len, 16);
    buf_truncate(&b, 4);
    assert_string_equal(buf_cstr(&b), "FROM");
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_growth(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    for (int i = 0; i < 100000; i++)
        assert_int_equal(buf_append_char(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[100000], '\0');
    assert_int_equal(b.data[26], 'a');
    buf_release(&b);
}

static void test_limit_is_enforced_and_leaves_content(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_append_cstr(&b, "12345678"), 0);
    assert_int_equal(buf_append_char(&b, '9'), ERR_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%s", "more"), ERR_TOO_LARGE);
    assert_string_equal(buf_cstr(&b), "12345678");
    buf_release(&b);
}

static void test_detach(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    size_t len = 99;
    char *empty = buf_detach(&b, &len);
    assert_int_equal(len, 0);
    assert_string_equal(empty, "");
    free(empty);
    assert_int_equal(buf_append_cstr(&b, "x"), 0);
    char *s = buf_detach(&b, &len);
    assert_string_equal(s, "x");
    assert_int_equal(len, 1);
    assert_null(b.data);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_terminate),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_limit_is_enforced_and_leaves_content),
        cmocka_unit_test(test_detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
