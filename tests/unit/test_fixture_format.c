/* The fixture annotation parser that the fixture driver is built on. */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_style_example(void **state)
{
    (void)state;
    const char *src = "# test: rules=DW601 fix=safe\n"
                      "from alpine:3.20\n"
                      "# expect @-1:1 DW601 \"instruction 'from' should be uppercase\"\n"
                      "# fixed: FROM alpine:3.20\n"
                      "RUN echo ok\n";
    struct arena a;
    arena_init(&a);
    struct fixture fx;
    struct err e;
    assert_int_equal(fixture_parse(&fx, &a, "t.Dockerfile", src, strlen(src), &e), 0);
    assert_int_equal(fx.n_rules, 1);
    assert_string_equal(fx.rules[0], "DW601");
    assert_int_equal(fx.fix, FIXTURE_FIX_SAFE);
    assert_int_equal(fx.n_expects, 1);
    assert_int_equal(fx.expects[0].line, 2);
    assert_int_equal(fx.expects[0].col, 1);
    assert_string_equal(fx.expects[0].rule, "DW601");
    assert_string_equal(fx.expects[0].fragment, "instruction 'from' should be uppercase");
    assert_string_equal(fx.blanked, "#\nfrom alpine:3.20\n#\n#\nRUN echo ok\n");
    assert_string_equal(fx.fixed, "#\nFROM alpine:3.20\n#\n#\nRUN echo ok\n");
    arena_release(&a);
}

static void test_multiline_deleted_and_crlf(void **state)
{
    (void)state;
    const char *src = "FROM a\r\n"
                      "RUN x\r\n"
                      "# fixed: RUN y\r\n"
                      "# fixed: RUN z\r\n"
                      "MAINTAINER me\r\n"
                      "# fixed: <deleted>\r\n"
                      "CMD [\"a\"]";
    struct arena a;
    arena_init(&a);
    struct fixture fx;
    struct err e;
    assert_int_equal(fixture_parse(&fx, &a, "t", src, strlen(src), &e), 0);
    assert_int_equal(fx.n_expects, 0);
    assert_string_equal(fx.fixed, "FROM a\r\nRUN y\r\nRUN z\r\n#\r\n#\r\n#\r\nCMD [\"a\"]");
    arena_release(&a);
}

static void test_fixed_after_expect_starts_a_new_block(void **state)
{
    (void)state;
    /* An expectation between two fixed blocks: the second block belongs to
     * its own code line, not to the first block. */
    const char *src = "from a\n"
                      "# fixed: FROM a\n"
                      "run b\n"
                      "# expect @-1:1 DW601 \"x\"\n"
                      "# fixed: RUN b\n";
    struct arena a;
    arena_init(&a);
    struct fixture fx;
    struct err e;
    assert_int_equal(fixture_parse(&fx, &a, "t", src, strlen(src), &e), 0);
    assert_string_equal(fx.fixed, "FROM a\n#\nRUN b\n#\n#\n");
    arena_release(&a);
}

static void test_malformed_annotations_are_errors(void **state)
{
    (void)state;
    const char *bad[] = {
        "FROM a\n# expect @-1 DW1 \"x\"\n",          /* no column */
        "FROM a\n# expect @-5:1 DW1 \"x\"\n",        /* before the file */
        "FROM a\n# expect @-1:1 DW1 x\n",            /* unquoted fragment */
        "# test: rules=DW1 fix=sometimes\nFROM a\n", /* unknown fix mode */
        "# fixed: FROM b\n",                         /* nothing above */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct arena a;
        arena_init(&a);
        struct fixture fx;
        struct err e;
        assert_int_equal(fixture_parse(&fx, &a, "bad", bad[i], strlen(bad[i]), &e), ERR_SYNTAX);
        assert_true(e.line >= 1);
        arena_release(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_style_example),
        cmocka_unit_test(test_multiline_deleted_and_crlf),
        cmocka_unit_test(test_fixed_after_expect_starts_a_new_block),
        cmocka_unit_test(test_malformed_annotations_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
