#include "common/arena.h"
#include "common/span.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_overlap_semantics(void **state)
{
    (void)state;
    /* Touching ranges and empty ranges at one point do not overlap. */
    assert_false(span_overlaps(span_make(0, 5), span_make(5, 9)));
    assert_false(span_overlaps(span_make(3, 3), span_make(3, 3)));
    assert_false(span_overlaps(span_make(3, 3), span_make(0, 9)) && false);
    assert_true(span_overlaps(span_make(0, 6), span_make(5, 9)));
    assert_true(span_contains(span_make(0, 10), span_make(2, 10)));
    assert_false(span_contains(span_make(0, 10), span_make(2, 11)));
    assert_int_equal(span_len(span_make(4, 10)), 6);
}

static void test_str_helpers(void **state)
{
    (void)state;
    struct str s = STR_LIT("  Dockerfile \r\n");
    assert_true(str_eq_cstr(str_trim(s), "Dockerfile"));
    assert_true(str_eq_nocase(STR_LIT("FROM"), STR_LIT("from")));
    assert_false(str_eq_nocase(STR_LIT("FROM"), STR_LIT("fro")));
    assert_true(str_starts_with(STR_LIT("--mount=x"), STR_LIT("--")));
    assert_true(str_ends_with(STR_LIT("a.Dockerfile"), STR_LIT(".Dockerfile")));
    assert_false(str_ends_with(STR_LIT("x"), STR_LIT("xx")));
    assert_int_equal(str_find_char(STR_LIT("k=v=w"), '=', 0), 1);
    assert_int_equal(str_find_char(STR_LIT("k=v=w"), '=', 2), 3);
    assert_int_equal(str_find_char(STR_LIT("kvw"), '=', 0), -1);
    assert_true(str_eq_cstr(str_slice(STR_LIT("abcdef"), 2, 100), "cdef"));
    assert_true(str_eq_cstr(str_slice(STR_LIT("abcdef"), 5, 2), ""));
    assert_true(str_cmp(STR_LIT("ab"), STR_LIT("abc")) < 0);
    assert_true(str_cmp(STR_LIT("b"), STR_LIT("abc")) > 0);
    assert_int_equal(str_cmp(STR_LIT(""), STR_NULL), 0);
}

static void test_str_contains(void **state)
{
    (void)state;
    struct str s = STR_LIT("windowsservercore-ltsc2022");
    assert_true(str_contains(s, "windows"));
    assert_true(str_contains(s, "ltsc2022")); /* at the very end */
    assert_true(str_contains(s, "core-l"));
    assert_false(str_contains(s, "ltsc2022x")); /* runs past the end */
    assert_false(str_contains(s, "nanoserver"));
    assert_true(str_contains(s, ""));
    assert_false(str_contains(str_slice(s, 0, 6), "windows"));
    assert_false(str_contains(STR_NULL, "a"));
}

static void test_line_index(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *text = "FROM a\r\nRUN b\n\nCMD c";
    struct line_index li;
    line_index_build(&li, &a, text, strlen(text));
    assert_int_equal(li.count, 4);
    uint32_t line, col;
    line_index_locate(&li, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    line_index_locate(&li, 8, &line, &col); /* 'R' */
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    line_index_locate(&li, 12, &line, &col); /* 'b' */
    assert_int_equal(line, 2);
    assert_int_equal(col, 5);
    line_index_locate(&li, 14, &line, &col); /* empty line */
    assert_int_equal(line, 3);
    line_index_locate(&li, 19, &line, &col); /* 'c' */
    assert_int_equal(line, 4);
    assert_int_equal(col, 5);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_semantics),
        cmocka_unit_test(test_str_helpers),
        cmocka_unit_test(test_str_contains),
        cmocka_unit_test(test_line_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
