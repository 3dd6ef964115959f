#include "common/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_decode(void **state)
{
    (void)state;
    size_t len;
    assert_int_equal(utf8_decode("a", 1, 0, &len), 'a');
    assert_int_equal(len, 1);
    assert_int_equal(utf8_decode("\xc3\xa9", 2, 0, &len), 0xE9);
    assert_int_equal(len, 2);
    assert_int_equal(utf8_decode("\xe6\x97\xa5", 3, 0, &len), 0x65E5);
    assert_int_equal(len, 3);
    assert_int_equal(utf8_decode("\xf0\x9f\x90\xb3", 4, 0, &len), 0x1F433);
    assert_int_equal(len, 4);
    /* Go's rules: each bad sequence is U+FFFD of length 1. */
    const char *bad[] = { "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xc3", "\xff" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), 0, &len), UTF8_RUNE_ERROR);
        assert_int_equal(len, 1);
    }
}

static void test_encode_round_trip(void **state)
{
    (void)state;
    uint32_t cps[] = { 0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF };
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char buf[4];
        size_t n = utf8_encode(cps[i], buf), len;
        assert_int_equal(utf8_decode(buf, n, 0, &len), cps[i]);
        assert_int_equal(len, n);
    }
    char buf[4];
    assert_int_equal(utf8_encode(0xD800, buf), 3);
    assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_encode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
