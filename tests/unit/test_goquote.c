#include "common/buf.h"
#include "common/goquote.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void check(const char *in, size_t len, const char *want)
{
    struct buf b = BUF_INIT;
    assert_int_equal(go_quote(&b, in, len), 0);
    assert_string_equal(buf_cstr(&b), want);
    buf_release(&b);
}

static void test_quote(void **state)
{
    (void)state;
    check("", 0, "\"\"");
    check("a \"b\" \\c", 8, "\"a \\\"b\\\" \\\\c\"");
    check("\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"");
    check("\x01\x7f", 2, "\"\\x01\\x7f\"");
    check("\xff", 1, "\"\\xff\"");
    check("\xc3\xa9", 2, "\"\xc3\xa9\"");            /* é is printable */
    check("\xc2\xa0", 2, "\"\\u00a0\"");             /* NBSP is not */
    check("\xef\xbb\xbf", 3, "\"\\ufeff\"");         /* BOM */
    check("\xf3\xa0\x80\x81", 4, "\"\\U000e0001\""); /* a tag character */
    check("a\0b", 3, "\"a\\x00b\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_quote) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
